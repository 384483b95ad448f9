"""Security policy guard: every resource of every synthesized stack, read as Terraform JSON.

Each rule (rules.py) names the control it enforces and the config switch that can turn it off. A
resource that breaks a rule stops the synth unless `security.acknowledgements` accepts it with a
reason, for the whole rule or, like cdk-nag's resource suppressions, for the stacks and
constructs its `applies_to` names. An acknowledgement, or an `applies_to` entry, that covers no
violation is an error too, so stale exceptions do not pile up.

The guard reads the JSON the synth wrote, in pure Python: reading each construct back through
jsii cost as many Node round trips as the rest of the synth, and the JSON is what Terraform
deploys, whichever way a resource got into it (the config, an escape hatch, a stray construct).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from dualstack_aks.errors import shown
from dualstack_aks.model.config import Acknowledgement
from dualstack_aks.policy.rules import RULE_IDS, RULES, Rule

MIN_REASON_LENGTH = 10
# Characters that print nothing: format characters (zero-width spaces and joiners, direction marks), controls,
# unassigned and private-use code points, combining marks and every kind of space.
_INVISIBLE_CATEGORIES = frozenset(("Cf", "Cc", "Cn", "Co", "Cs", "Mn", "Me", "Zs", "Zl", "Zp"))


def visible_length(text: str) -> int:
    """How many characters of `text` a reader sees: twelve zero-width spaces are no reason."""
    return sum(1 for character in text if not character.isspace() and unicodedata.category(character) not in _INVISIBLE_CATEGORIES)


ACKNOWLEDGEMENTS = "security.acknowledgements"


@dataclass(frozen=True)
class Violation:
    rule: Rule
    construct_path: str


def find_violations(stacks: Mapping[str, dict]) -> list[Violation]:
    """Every resource of every stack (name -> synthesized Terraform JSON) that breaks a rule."""
    found = []
    for stack, document in stacks.items():
        resources = document.get("resource", {})
        for rule in RULES:
            for kind, name in rule.violations(resources):
                # cdktf records each resource's construct path; one added as a raw override has none.
                path = resources[kind][name].get("//", {}).get("metadata", {}).get("path") or f"{stack}/{kind}.{name}"
                found.append(Violation(rule, path))
    return found


def _covers(scope: str, construct_path: str) -> bool:
    """A stack or construct path covers itself and everything under it."""
    return construct_path == scope or construct_path.startswith(f"{scope}/")


def check_policy(stacks: Mapping[str, dict], acknowledgements: Mapping[str, Acknowledgement]) -> list[tuple[str, str]]:
    """(config path, message) for each violation no acknowledgement covers and each bad acknowledgement."""
    broken: dict[str, list[str]] = {}  # rule id -> construct paths that break it
    for violation in find_violations(stacks):
        broken.setdefault(violation.rule.id, []).append(violation.construct_path)
    problems: list[tuple[str, str]] = []
    for rule in RULES:
        acknowledgement = acknowledgements.get(rule.id)
        if acknowledgement is not None and acknowledgement.applies_to is None:
            continue  # accepted everywhere
        scopes = (acknowledgement.applies_to or []) if acknowledgement is not None else []
        unaccepted = sorted({path for path in broken.get(rule.id, []) if not any(_covers(scope, path) for scope in scopes)})
        if unaccepted:
            remedy = f"add them to `{ACKNOWLEDGEMENTS}.{rule.id}.applies_to`" if scopes else f"add `{ACKNOWLEDGEMENTS}.{rule.id}: <reason>`"
            problems.append(
                (
                    rule.switch or ACKNOWLEDGEMENTS,
                    f"turns off security control {rule.id} ({rule.control}; not met by {', '.join(unaccepted)}); turn it back on, or {remedy}",
                )
            )
    for rule_id, acknowledgement in acknowledgements.items():
        key = f"{ACKNOWLEDGEMENTS}.{rule_id}"
        if rule_id not in RULE_IDS:
            problems.append((key, f"unknown rule id; known: {', '.join(RULE_IDS)}"))
        elif rule_id not in broken:
            problems.append((key, "acknowledges a control that is on; remove the entry"))
        else:
            if visible_length(acknowledgement.reason) < MIN_REASON_LENGTH:
                problems.append((key, f"give the reason in at least {MIN_REASON_LENGTH} visible characters, got {shown(acknowledgement.reason)}"))
            paths = sorted(set(broken[rule_id]))
            for index, scope in enumerate(acknowledgement.applies_to or []):
                if not any(_covers(scope, path) for path in paths):
                    problems.append((f"{key}.applies_to[{index}]", f"{shown(scope)} covers nothing that breaks {rule_id} (only {', '.join(paths)}); remove it"))
    return problems
