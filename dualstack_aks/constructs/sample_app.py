"""Optional echo app behind every IngressClass (or every GatewayClass's Gateways, through one
HTTPRoute each): after deploy, `curl -4` and `curl -6` against the global name show which client
address and X-Real-IP / X-Forwarded-For the backend saw."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from constructs import Construct

from dualstack_aks.constructs.ingress import helm_release, objects_chart_path
from dualstack_aks.engine import kubernetes
from dualstack_aks.engine.core import ITerraformDependable
from dualstack_aks.engine.kubernetes import (
    DeploymentV1,
    DeploymentV1Metadata,
    DeploymentV1Spec,
    DeploymentV1SpecSelector,
    DeploymentV1SpecTemplate,
    DeploymentV1SpecTemplateMetadata,
    DeploymentV1SpecTemplateSpec,
    DeploymentV1SpecTemplateSpecContainer,
    DeploymentV1SpecTemplateSpecContainerEnv,
    DeploymentV1SpecTemplateSpecContainerLivenessProbe,
    DeploymentV1SpecTemplateSpecContainerLivenessProbeHttpGet,
    DeploymentV1SpecTemplateSpecContainerPort,
    DeploymentV1SpecTemplateSpecContainerReadinessProbe,
    DeploymentV1SpecTemplateSpecContainerReadinessProbeHttpGet,
    DeploymentV1SpecTemplateSpecContainerResources,
    DeploymentV1SpecTemplateSpecContainerSecurityContext,
    DeploymentV1SpecTemplateSpecContainerSecurityContextCapabilities,
    DeploymentV1SpecTemplateSpecContainerSecurityContextSeccompProfile,
    NamespaceV1,
    NamespaceV1Metadata,
    ServiceV1,
    ServiceV1Metadata,
    ServiceV1Spec,
    ServiceV1SpecPort,
)
from dualstack_aks.model.deployment import SampleAppSpec
from dualstack_aks.model.gateway import echo_route
from dualstack_aks.model.ingress import ingress_class_labels, render_values

APP_NAME = "echo"


class SampleApp(Construct):
    """`routes_after`: per GatewayClass, what its HTTPRoute release waits for (the CRDs and the Gateways);
    `objects_chart`: the local chart's path from the stack folder, which the HTTPRoute releases install."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        props: SampleAppSpec,
        routes_after: Mapping[str, Sequence[ITerraformDependable]],
        objects_chart: str | None = None,
    ):
        super().__init__(scope, id_)
        labels = {"app.kubernetes.io/name": APP_NAME}
        # Each attribute read is a jsii round trip: read the reference once and reuse its token.
        namespace_name = NamespaceV1(
            self, "namespace", metadata=NamespaceV1Metadata(name=props.namespace, labels={"pod-security.kubernetes.io/enforce": "restricted"})
        ).metadata.name
        DeploymentV1(
            self,
            "deployment",
            metadata=DeploymentV1Metadata(name=APP_NAME, namespace=namespace_name, labels=labels),
            spec=DeploymentV1Spec(
                replicas=str(props.replicas),
                selector=DeploymentV1SpecSelector(match_labels=labels),
                template=DeploymentV1SpecTemplate(
                    metadata=DeploymentV1SpecTemplateMetadata(labels=labels),
                    spec=DeploymentV1SpecTemplateSpec(
                        container=[
                            DeploymentV1SpecTemplateSpecContainer(
                                name=APP_NAME,
                                image=props.image,
                                image_pull_policy="Always",
                                env=[DeploymentV1SpecTemplateSpecContainerEnv(name="HTTP_PORT", value=str(props.port))],
                                port=[DeploymentV1SpecTemplateSpecContainerPort(container_port=props.port, name="http")],
                                resources=DeploymentV1SpecTemplateSpecContainerResources(
                                    requests={"cpu": "10m", "memory": "32Mi"}, limits={"cpu": "200m", "memory": "128Mi"}
                                ),
                                liveness_probe=DeploymentV1SpecTemplateSpecContainerLivenessProbe(
                                    http_get=DeploymentV1SpecTemplateSpecContainerLivenessProbeHttpGet(path="/", port="http"), period_seconds=20
                                ),
                                readiness_probe=DeploymentV1SpecTemplateSpecContainerReadinessProbe(
                                    http_get=DeploymentV1SpecTemplateSpecContainerReadinessProbeHttpGet(path="/", port="http"), period_seconds=5
                                ),
                                security_context=DeploymentV1SpecTemplateSpecContainerSecurityContext(
                                    allow_privilege_escalation=False,
                                    run_as_non_root=True,
                                    run_as_user="1000",
                                    read_only_root_filesystem=True,
                                    capabilities=DeploymentV1SpecTemplateSpecContainerSecurityContextCapabilities(drop=["ALL"]),
                                    seccomp_profile=DeploymentV1SpecTemplateSpecContainerSecurityContextSeccompProfile(type="RuntimeDefault"),
                                ),
                            )
                        ]
                    ),
                ),
            ),
        )
        # The backend Service has the primary family only: the other family's ingress must translate.
        ServiceV1(
            self,
            "service",
            metadata=ServiceV1Metadata(name=APP_NAME, namespace=namespace_name, labels=labels),
            spec=ServiceV1Spec(
                selector=labels,
                ip_family_policy="SingleStack",
                ip_families=[props.backend_family],
                port=[ServiceV1SpecPort(name="http", port=80, target_port="http")],
            ),
        )
        if props.ingress_classes:
            self._ingresses(props, namespace_name, labels, routes_after)
        for route in props.routes:
            name = f"{APP_NAME}-{route.gateway_class}"
            helm_release(
                self,
                f"route_{route.gateway_class.replace('-', '_')}",
                name=name,
                namespace=namespace_name,
                chart=objects_chart_path(objects_chart),
                values=render_values(
                    echo_route(
                        name=name,
                        namespace=props.namespace,
                        parents=route.gateways,
                        parent_namespace=route.gateway_namespace,
                        hosts=props.hosts,
                        service=APP_NAME,
                    )
                ),
                depends_on=routes_after[route.gateway_class],
            )

    def _ingresses(self, props: SampleAppSpec, namespace_name: str, labels: dict[str, str], routes_after: Mapping[str, Sequence[ITerraformDependable]]) -> None:
        """One Ingress per IngressClass. The classes come through the engine module, which loads the Kubernetes
        Ingress module on first use: a Gateway-only layout does not pay for it."""
        for ingress_class in props.ingress_classes:
            kubernetes.IngressV1(
                self,
                f"ingress_{ingress_class.replace('-', '_')}",
                metadata=kubernetes.IngressV1Metadata(
                    name=f"{APP_NAME}-{ingress_class}", namespace=namespace_name, labels={**labels, **ingress_class_labels(ingress_class)}
                ),
                # The class's controller validates Ingress objects in its admission webhook: it must be up first.
                depends_on=list(routes_after[ingress_class]),
                spec=kubernetes.IngressV1Spec(
                    ingress_class_name=ingress_class,
                    rule=[
                        kubernetes.IngressV1SpecRule(
                            host=host,
                            http=kubernetes.IngressV1SpecRuleHttp(
                                path=[
                                    kubernetes.IngressV1SpecRuleHttpPath(
                                        path="/",
                                        path_type="Prefix",
                                        backend=kubernetes.IngressV1SpecRuleHttpPathBackend(
                                            service=kubernetes.IngressV1SpecRuleHttpPathBackendService(
                                                name=APP_NAME, port=kubernetes.IngressV1SpecRuleHttpPathBackendServicePort(name="http")
                                            )
                                        ),
                                    )
                                ]
                            ),
                        )
                        for host in props.hosts
                    ],
                ),
            )
