"""The azurerm provider's classes from the selected engine's prebuilt provider, under cdktf's names."""

from typing import TYPE_CHECKING

from dualstack_aks.engine import provider_getattr

# mypy checks the app's arguments against cdktf's classes; at run time each name is loaded on first use.
if TYPE_CHECKING:
    from cdktf_cdktf_provider_azurerm.application_gateway import (
        ApplicationGateway,
        ApplicationGatewayAutoscaleConfiguration,
        ApplicationGatewayBackendAddressPool,
        ApplicationGatewayBackendHttpSettings,
        ApplicationGatewayFrontendIpConfiguration,
        ApplicationGatewayFrontendPort,
        ApplicationGatewayGatewayIpConfiguration,
        ApplicationGatewayHttpListener,
        ApplicationGatewayIdentity,
        ApplicationGatewayProbe,
        ApplicationGatewayRedirectConfiguration,
        ApplicationGatewayRequestRoutingRule,
        ApplicationGatewayRewriteRuleSet,
        ApplicationGatewayRewriteRuleSetRewriteRule,
        ApplicationGatewayRewriteRuleSetRewriteRuleRequestHeaderConfiguration,
        ApplicationGatewaySku,
        ApplicationGatewaySslCertificate,
        ApplicationGatewaySslPolicy,
    )
    from cdktf_cdktf_provider_azurerm.container_registry import (
        ContainerRegistry,
        ContainerRegistryGeoreplications,
        ContainerRegistryNetworkRuleSet,
        ContainerRegistryNetworkRuleSetIpRule,
    )
    from cdktf_cdktf_provider_azurerm.data_azurerm_client_config import (
        DataAzurermClientConfig,
    )
    from cdktf_cdktf_provider_azurerm.data_azurerm_kubernetes_cluster import (
        DataAzurermKubernetesCluster,
    )
    from cdktf_cdktf_provider_azurerm.data_azurerm_public_ip import (
        DataAzurermPublicIp,
    )
    from cdktf_cdktf_provider_azurerm.data_azurerm_subnet import (
        DataAzurermSubnet,
    )
    from cdktf_cdktf_provider_azurerm.data_azurerm_user_assigned_identity import (
        DataAzurermUserAssignedIdentity,
    )
    from cdktf_cdktf_provider_azurerm.data_azurerm_virtual_network import (
        DataAzurermVirtualNetwork,
    )
    from cdktf_cdktf_provider_azurerm.dns_a_record import (
        DnsARecord,
    )
    from cdktf_cdktf_provider_azurerm.dns_aaaa_record import (
        DnsAaaaRecord,
    )
    from cdktf_cdktf_provider_azurerm.dns_cname_record import (
        DnsCnameRecord,
    )
    from cdktf_cdktf_provider_azurerm.dns_zone import (
        DnsZone,
    )
    from cdktf_cdktf_provider_azurerm.key_vault import (
        KeyVault,
        KeyVaultNetworkAcls,
    )
    from cdktf_cdktf_provider_azurerm.kubernetes_cluster import (
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
        KubernetesClusterOmsAgent,
    )
    from cdktf_cdktf_provider_azurerm.kubernetes_cluster_node_pool import (
        KubernetesClusterNodePool,
        KubernetesClusterNodePoolUpgradeSettings,
    )
    from cdktf_cdktf_provider_azurerm.log_analytics_workspace import (
        LogAnalyticsWorkspace,
    )
    from cdktf_cdktf_provider_azurerm.management_lock import (
        ManagementLock,
    )
    from cdktf_cdktf_provider_azurerm.monitor_data_collection_rule import (
        MonitorDataCollectionRule,
        MonitorDataCollectionRuleDataFlow,
        MonitorDataCollectionRuleDataSources,
        MonitorDataCollectionRuleDataSourcesExtension,
        MonitorDataCollectionRuleDestinations,
        MonitorDataCollectionRuleDestinationsLogAnalytics,
    )
    from cdktf_cdktf_provider_azurerm.monitor_data_collection_rule_association import (
        MonitorDataCollectionRuleAssociation,
    )
    from cdktf_cdktf_provider_azurerm.monitor_diagnostic_setting import (
        MonitorDiagnosticSetting,
        MonitorDiagnosticSettingEnabledLog,
        MonitorDiagnosticSettingEnabledMetric,
    )
    from cdktf_cdktf_provider_azurerm.network_security_group import (
        NetworkSecurityGroup,
    )
    from cdktf_cdktf_provider_azurerm.network_security_rule import (
        NetworkSecurityRule,
    )
    from cdktf_cdktf_provider_azurerm.private_dns_a_record import (
        PrivateDnsARecord,
    )
    from cdktf_cdktf_provider_azurerm.private_dns_aaaa_record import (
        PrivateDnsAaaaRecord,
    )
    from cdktf_cdktf_provider_azurerm.private_dns_zone import (
        PrivateDnsZone,
    )
    from cdktf_cdktf_provider_azurerm.private_dns_zone_virtual_network_link import (
        PrivateDnsZoneVirtualNetworkLink,
    )
    from cdktf_cdktf_provider_azurerm.private_endpoint import (
        PrivateEndpoint,
        PrivateEndpointPrivateDnsZoneGroup,
        PrivateEndpointPrivateServiceConnection,
    )
    from cdktf_cdktf_provider_azurerm.provider import (
        AzurermProvider,
        AzurermProviderFeatures,
        AzurermProviderFeaturesStorage,
    )
    from cdktf_cdktf_provider_azurerm.public_ip import (
        PublicIp,
    )
    from cdktf_cdktf_provider_azurerm.resource_group import (
        ResourceGroup,
    )
    from cdktf_cdktf_provider_azurerm.role_assignment import (
        RoleAssignment,
    )
    from cdktf_cdktf_provider_azurerm.storage_account import (
        StorageAccount,
        StorageAccountBlobProperties,
        StorageAccountBlobPropertiesContainerDeleteRetentionPolicy,
        StorageAccountBlobPropertiesDeleteRetentionPolicy,
    )
    from cdktf_cdktf_provider_azurerm.storage_container import (
        StorageContainer,
    )
    from cdktf_cdktf_provider_azurerm.subnet import (
        Subnet,
    )
    from cdktf_cdktf_provider_azurerm.subnet_network_security_group_association import (
        SubnetNetworkSecurityGroupAssociation,
    )
    from cdktf_cdktf_provider_azurerm.traffic_manager_external_endpoint import (
        TrafficManagerExternalEndpoint,
    )
    from cdktf_cdktf_provider_azurerm.traffic_manager_profile import (
        TrafficManagerProfile,
        TrafficManagerProfileDnsConfig,
        TrafficManagerProfileMonitorConfig,
        TrafficManagerProfileMonitorConfigCustomHeader,
    )
    from cdktf_cdktf_provider_azurerm.user_assigned_identity import (
        UserAssignedIdentity,
    )
    from cdktf_cdktf_provider_azurerm.virtual_network import (
        VirtualNetwork,
    )
    from cdktf_cdktf_provider_azurerm.web_application_firewall_policy import (
        WebApplicationFirewallPolicy,
        WebApplicationFirewallPolicyManagedRules,
        WebApplicationFirewallPolicyManagedRulesManagedRuleSet,
        WebApplicationFirewallPolicyPolicySettings,
    )

__getattr__ = provider_getattr(__name__, "azurerm")
