"""Cluster layer: dual-stack AKS on Azure CNI Overlay with Cilium, its identities, monitoring and Key Vault."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from dualstack_aks.constructs.monitoring import container_insights, send_diagnostics
from dualstack_aks.constructs.private_link import PrivateLinkZones, private_endpoint
from dualstack_aks.constructs.roles import GROUP, grant, wait_for
from dualstack_aks.engine.azurerm import (
    KeyVault,
    KeyVaultNetworkAcls,
    KubernetesCluster,
    KubernetesClusterApiServerAccessProfile,
    KubernetesClusterAzureActiveDirectoryRoleBasedAccessControl,
    KubernetesClusterDefaultNodePool,
    KubernetesClusterDefaultNodePoolUpgradeSettings,
    KubernetesClusterIdentity,
    KubernetesClusterKeyVaultSecretsProvider,
    KubernetesClusterMicrosoftDefender,
    KubernetesClusterNetworkProfile,
    KubernetesClusterNetworkProfileLoadBalancerProfile,
    KubernetesClusterNodePool,
    KubernetesClusterNodePoolUpgradeSettings,
    KubernetesClusterOmsAgent,
    UserAssignedIdentity,
)
from dualstack_aks.model.addresses import RegionAddresses
from dualstack_aks.model.deployment import ClusterSpec
from dualstack_aks.model.names import RegionNames


@dataclass(frozen=True)
class ClusterProps:
    names: RegionNames
    location: str
    spec: ClusterSpec
    zones: tuple[str, ...]
    addresses: RegionAddresses
    resource_group_name: str
    virtual_network_id: str
    nodes_subnet_id: str
    subnet_ids_for_load_balancers: list[str]
    tenant_id: str
    deployer_object_id: str  # whoever runs the deploy (client config): the ingress stack acts as them in the cluster
    container_registry_id: str
    log_analytics_workspace_id: str
    tags: dict[str, str]


# Kubernetes data-plane rights through Azure RBAC; subscription Owner has none (azure-aks-docs articles/aks/entra-id-authorization.md, "AKS built-in roles").
CLUSTER_ADMIN_ROLE = "Azure Kubernetes Service RBAC Cluster Admin"

# AKS control-plane logs worth keeping; kube-audit (every read) is left out for cost, kube-audit-admin kept.
_CLUSTER_LOG_CATEGORIES = ("kube-apiserver", "kube-audit-admin", "kube-controller-manager", "kube-scheduler", "cluster-autoscaler", "guard")


class Cluster(Construct):
    """Exposes `identity_principal_id` and `access_grants` (ClusterAttachment), as ExistingCluster does."""

    def __init__(self, scope: Construct, id_: str, props: ClusterProps):
        super().__init__(scope, id_)
        names, spec, addresses = props.names, props.spec, props.addresses
        system_pool, user_pool = spec.system_pool, spec.user_pool

        # A user-assigned control-plane identity exists before the cluster, so its network
        # rights are in place when AKS first creates load balancers in our subnets.
        self.identity = UserAssignedIdentity(
            self, "identity", name=names.cluster_identity, location=props.location, resource_group_name=props.resource_group_name, tags=props.tags
        )
        self.identity_principal_id = self.identity.principal_id
        subnet_roles = [
            grant(self, f"identity_network_contributor_{position}", role="Network Contributor", on=subnet_id, to=self.identity_principal_id)
            for position, subnet_id in enumerate(props.subnet_ids_for_load_balancers)
        ]
        # AKS joins the subnets at create; a fresh grant is not effective at once (azurerm issue 24064).
        subnet_roles_effective = wait_for(self, "identity_network_contributor_propagation", subnet_roles)

        self.kubernetes_cluster = KubernetesCluster(
            self,
            "kubernetes_cluster",
            name=names.cluster,
            dns_prefix=names.dns_prefix,
            node_resource_group=names.node_resource_group,
            location=props.location,
            resource_group_name=props.resource_group_name,
            kubernetes_version=spec.kubernetes_version,
            sku_tier=spec.sku_tier,
            automatic_upgrade_channel=spec.automatic_upgrade_channel,
            node_os_upgrade_channel=spec.node_os_upgrade_channel,
            identity=KubernetesClusterIdentity(type="UserAssigned", identity_ids=[self.identity.id]),
            default_node_pool=KubernetesClusterDefaultNodePool(
                name=system_pool.names.name,
                vm_size=system_pool.vm_size,
                auto_scaling_enabled=True,
                min_count=system_pool.min_count,
                max_count=system_pool.max_count,
                max_pods=system_pool.max_pods,
                os_disk_type=system_pool.os_disk_type,
                os_disk_size_gb=system_pool.os_disk_size_gb,
                host_encryption_enabled=spec.host_encryption,
                zones=list(props.zones),
                vnet_subnet_id=props.nodes_subnet_id,
                only_critical_addons_enabled=True,
                temporary_name_for_rotation=system_pool.names.temporary_name_for_rotation,
                upgrade_settings=KubernetesClusterDefaultNodePoolUpgradeSettings(max_surge=spec.max_surge),
            ),
            network_profile=KubernetesClusterNetworkProfile(
                network_plugin="azure",
                network_plugin_mode="overlay",
                network_data_plane="cilium",
                network_policy="cilium",
                ip_versions=["IPv4", "IPv6"],
                pod_cidrs=addresses.pod_cidrs.as_list(),
                service_cidrs=addresses.service_cidrs.as_list(),
                dns_service_ip=str(addresses.dns_service_ip),
                load_balancer_sku="standard",
                outbound_type="loadBalancer",
                load_balancer_profile=KubernetesClusterNetworkProfileLoadBalancerProfile(
                    managed_outbound_ip_count=spec.outbound_ipv4_count,
                    managed_outbound_ipv6_count=spec.outbound_ipv6_count,
                ),
            ),
            azure_active_directory_role_based_access_control=KubernetesClusterAzureActiveDirectoryRoleBasedAccessControl(
                azure_rbac_enabled=True,
                tenant_id=props.tenant_id,
                admin_group_object_ids=list(spec.admin_group_object_ids) or None,
            ),
            local_account_disabled=True,
            oidc_issuer_enabled=True,
            workload_identity_enabled=True,
            api_server_access_profile=KubernetesClusterApiServerAccessProfile(authorized_ip_ranges=list(spec.authorized_ip_ranges))
            if spec.authorized_ip_ranges
            else None,
            private_cluster_enabled=spec.private_cluster,
            azure_policy_enabled=spec.azure_policy,
            microsoft_defender=KubernetesClusterMicrosoftDefender(log_analytics_workspace_id=props.log_analytics_workspace_id) if spec.defender else None,
            key_vault_secrets_provider=KubernetesClusterKeyVaultSecretsProvider(secret_rotation_enabled=True, secret_rotation_interval="2m"),
            oms_agent=KubernetesClusterOmsAgent(log_analytics_workspace_id=props.log_analytics_workspace_id, msi_auth_for_monitoring_enabled=True),
            depends_on=[subnet_roles_effective],
            tags=props.tags,
        )
        # Each attribute read is a jsii round trip: read a reference once and reuse its token.
        cluster_id = self.kubernetes_cluster.id
        container_insights(
            self,
            cluster_id=cluster_id,
            workspace_id=props.log_analytics_workspace_id,
            name=f"MSCI-{names.code}-{names.cluster}",
            location=props.location,
            resource_group_name=props.resource_group_name,
            tags=props.tags,
        )
        send_diagnostics(self, "kubernetes_cluster_diagnostics", cluster_id, props.log_analytics_workspace_id, log_categories=_CLUSTER_LOG_CATEGORIES)
        self.user_node_pool = KubernetesClusterNodePool(
            self,
            "user_node_pool",
            name=user_pool.names.name,
            mode="User",
            kubernetes_cluster_id=cluster_id,
            vm_size=user_pool.vm_size,
            auto_scaling_enabled=True,
            min_count=user_pool.min_count,
            max_count=user_pool.max_count,
            max_pods=user_pool.max_pods,
            os_disk_type=user_pool.os_disk_type,
            os_disk_size_gb=user_pool.os_disk_size_gb,
            host_encryption_enabled=spec.host_encryption,
            zones=list(props.zones),
            vnet_subnet_id=props.nodes_subnet_id,
            upgrade_settings=KubernetesClusterNodePoolUpgradeSettings(max_surge=spec.max_surge),
            # Changing vm_size, OS disk, max_pods, zones or host encryption needs it (kubernetes_cluster_node_pool_resource.go:959-999, v4.55.0).
            temporary_name_for_rotation=user_pool.names.temporary_name_for_rotation,
            tags=props.tags,
        )
        grant(self, "kubelet_acr_pull", role="AcrPull", on=props.container_registry_id, to=self.kubernetes_cluster.kubelet_identity.object_id)
        # Local accounts are off and authorization is Azure RBAC: without a data-plane role the ingress stack cannot install anything.
        self.access_grants = [
            # The deployer may be a user or a service principal: the type is left for Azure to find.
            grant(self, "deployer_cluster_admin", role=CLUSTER_ADMIN_ROLE, on=cluster_id, to=props.deployer_object_id, principal_type=None),
            *(
                grant(self, f"admin_group_cluster_admin_{position}", role=CLUSTER_ADMIN_ROLE, on=cluster_id, to=group, principal_type=GROUP)
                for position, group in enumerate(spec.admin_group_object_ids)
            ),
        ]

        self.key_vault = KeyVault(
            self,
            "key_vault",
            name=names.key_vault,
            tenant_id=props.tenant_id,
            sku_name="standard",
            rbac_authorization_enabled=True,
            purge_protection_enabled=True,
            soft_delete_retention_days=90,
            public_network_access_enabled=spec.key_vault_public_network_access,
            network_acls=KeyVaultNetworkAcls(default_action="Deny", bypass="AzureServices"),
            location=props.location,
            resource_group_name=props.resource_group_name,
            tags=props.tags,
        )
        key_vault_id = self.key_vault.id
        send_diagnostics(self, "key_vault_diagnostics", key_vault_id, props.log_analytics_workspace_id, log_category_groups=("audit",))
        zone_ids = PrivateLinkZones(
            self,
            "private_link_zones",
            resource_group_name=props.resource_group_name,
            virtual_network_id=props.virtual_network_id,
            link_name=f"link-{names.virtual_network}",
            tags=props.tags,
        ).zone_ids
        # The only way into the vault from the VNet (public access off by default): what reads it waits for it.
        self.key_vault_private_endpoint = private_endpoint(
            self,
            "key_vault_private_endpoint",
            name=f"pe-{names.key_vault}",
            target_resource_id=key_vault_id,
            subresource="vault",
            private_dns_zone_id=zone_ids["vault"],
            location=props.location,
            resource_group_name=props.resource_group_name,
            subnet_id=props.nodes_subnet_id,
            tags=props.tags,
        )
        # Nodes pull images over the registry's private endpoint in their own region (geo-replica).
        private_endpoint(
            self,
            "registry_private_endpoint",
            name=f"pe-{names.cluster}-registry",
            target_resource_id=props.container_registry_id,
            subresource="registry",
            private_dns_zone_id=zone_ids["registry"],
            location=props.location,
            resource_group_name=props.resource_group_name,
            subnet_id=props.nodes_subnet_id,
            tags=props.tags,
        )
        grant(
            self,
            "secrets_provider_key_vault_reader",
            role="Key Vault Secrets User",
            on=key_vault_id,
            to=self.kubernetes_cluster.key_vault_secrets_provider.secret_identity.get(0).object_id,
        )
