"""Security policy guard: every resource of every synthesized stack, read as Terraform JSON.

Each rule (rules.py) names the control it enforces and the config switch that can turn it off. A
resource that breaks a rule stops the synth unless `security.acknowledgements` holds the rule id
with a reason (the cdk-nag pattern: explicit, reasoned suppressions). Acknowledging a rule that
nothing breaks is an error too, so stale exceptions do not pile up.

The guard reads the JSON the synth wrote, in pure Python: reading each construct back through
jsii cost as many Node round trips as the rest of the synth, and the JSON is what Terraform
deploys, whichever way a resource got into it (the config, an escape hatch, a stray construct).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dualstack_aks.policy.rules import RULE_IDS, RULES, Rule

MIN_REASON_LENGTH = 10
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


def check_policy(stacks: Mapping[str, dict], acknowledgements: Mapping[str, str]) -> list[tuple[str, str]]:
    """(config path, message) for each unacknowledged violation and each bad acknowledgement."""
    broken: dict[str, list[str]] = {}  # rule id -> construct paths that break it
    for violation in find_violations(stacks):
        broken.setdefault(violation.rule.id, []).append(violation.construct_path)
    problems: list[tuple[str, str]] = []
    for rule in RULES:
        paths = sorted(set(broken.get(rule.id, [])))
        if paths and rule.id not in acknowledgements:
            problems.append(
                (
                    rule.switch or ACKNOWLEDGEMENTS,
                    (
                        f"turns off security control {rule.id} ({rule.control}; not met by {', '.join(paths)}); "
                        f"turn it back on, or add `{ACKNOWLEDGEMENTS}.{rule.id}: <reason>`"
                    ),
                )
            )
    for rule_id, reason in acknowledgements.items():
        key = f"{ACKNOWLEDGEMENTS}.{rule_id}"
        if rule_id not in RULE_IDS:
            problems.append((key, f"unknown rule id; known: {', '.join(RULE_IDS)}"))
        elif rule_id not in broken:
            problems.append((key, "acknowledges a control that is on; remove the entry"))
        elif len(reason.strip()) < MIN_REASON_LENGTH:
            problems.append((key, f"give the reason in at least {MIN_REASON_LENGTH} characters, got {reason!r}"))
    return problems
