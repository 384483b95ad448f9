"""The one-time stack behind the azurerm backend: a storage account and container that keep every
other stack's Terraform state, so that no state is ever lost.

Old state versions and deleted blobs and containers stay restorable, the account is geo-redundant
and locked against deletion, and only Entra ID identities reach it (shared keys off). Terraform
manages it through Azure Resource Manager alone (no storage data-plane calls), which is what makes
shared keys unnecessary.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from dualstack_aks.constructs.roles import grant
from dualstack_aks.engine.azurerm import (
    AzurermProvider,
    AzurermProviderFeatures,
    AzurermProviderFeaturesStorage,
    DataAzurermClientConfig,
    ManagementLock,
    ResourceGroup,
    StorageAccount,
    StorageAccountBlobProperties,
    StorageAccountBlobPropertiesContainerDeleteRetentionPolicy,
    StorageAccountBlobPropertiesDeleteRetentionPolicy,
    StorageContainer,
)
from dualstack_aks.engine.core import TerraformResourceLifecycle, TerraformStack

# How long an overwritten state version, a deleted state blob or a deleted container stays restorable.
STATE_RETENTION_DAYS = 30
# Data-plane role the azurerm backend needs (read, write, and the blob lease that locks state).
STATE_DATA_ROLE = "Storage Blob Data Contributor"


@dataclass(frozen=True)
class StateStackProps:
    resource_group_name: str
    storage_account_name: str
    container_name: str
    location: str
    subscription_id: str | None
    tags: dict[str, str]


class StateStack(TerraformStack):
    """Exposes `storage_account` and `container`."""

    def __init__(self, scope: Construct, id_: str, props: StateStackProps):
        super().__init__(scope, id_)
        AzurermProvider(
            self,
            "azurerm",
            features=[AzurermProviderFeatures(storage=[AzurermProviderFeaturesStorage(data_plane_available=False)])],
            storage_use_azuread=True,
            subscription_id=props.subscription_id,
        )
        keep = TerraformResourceLifecycle(prevent_destroy=True)
        resource_group = ResourceGroup(self, "resource_group", name=props.resource_group_name, location=props.location, tags=props.tags)
        self.storage_account = StorageAccount(
            self,
            "storage_account",
            name=props.storage_account_name,
            resource_group_name=resource_group.name,
            location=props.location,
            account_kind="StorageV2",
            account_tier="Standard",
            # A second copy in the paired region survives the loss of the home region.
            account_replication_type="GRS",
            min_tls_version="TLS1_2",
            https_traffic_only_enabled=True,
            allow_nested_items_to_be_public=False,
            shared_access_key_enabled=False,
            default_to_oauth_authentication=True,
            local_user_enabled=False,
            cross_tenant_replication_enabled=False,
            blob_properties=StorageAccountBlobProperties(
                versioning_enabled=True,
                delete_retention_policy=StorageAccountBlobPropertiesDeleteRetentionPolicy(days=STATE_RETENTION_DAYS),
                container_delete_retention_policy=StorageAccountBlobPropertiesContainerDeleteRetentionPolicy(days=STATE_RETENTION_DAYS),
            ),
            lifecycle=keep,
            tags=props.tags,
        )
        # storage_account_id (not storage_account_name) creates the container through Resource Manager.
        self.container = StorageContainer(
            self,
            "container",
            name=props.container_name,
            storage_account_id=self.storage_account.id,
            container_access_type="private",
            lifecycle=keep,
        )
        ManagementLock(
            self,
            "storage_account_lock",
            name="keep-terraform-state",
            scope=self.storage_account.id,
            lock_level="CanNotDelete",
            notes="Holds the Terraform state of every dualstack-aks stack.",
        )
        # Whoever bootstraps can use the backend at once; CI identities get the same role (docs/deploy.md).
        grant(
            self,
            "bootstrapper_state_access",
            role=STATE_DATA_ROLE,
            on=self.storage_account.id,
            to=DataAzurermClientConfig(self, "client_config").object_id,
            principal_type=None,  # whoever bootstraps: a user or a CI identity
        )
