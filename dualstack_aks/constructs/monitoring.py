"""Monitoring: a Log Analytics workspace, the diagnostic settings that feed it, and Container Insights."""

from __future__ import annotations

import json

from constructs import Construct

from dualstack_aks.engine.azurerm import (
    LogAnalyticsWorkspace,
    MonitorDataCollectionRule,
    MonitorDataCollectionRuleAssociation,
    MonitorDataCollectionRuleDataFlow,
    MonitorDataCollectionRuleDataSources,
    MonitorDataCollectionRuleDataSourcesExtension,
    MonitorDataCollectionRuleDestinations,
    MonitorDataCollectionRuleDestinationsLogAnalytics,
    MonitorDiagnosticSetting,
    MonitorDiagnosticSettingEnabledLog,
    MonitorDiagnosticSettingEnabledMetric,
)


def log_analytics_workspace(scope: Construct, name: str, location: str, resource_group_name: str, tags: dict[str, str]) -> LogAnalyticsWorkspace:
    return LogAnalyticsWorkspace(
        scope,
        "log_analytics",
        name=name,
        location=location,
        resource_group_name=resource_group_name,
        sku="PerGB2018",
        retention_in_days=30,
        tags=tags,
    )


def send_diagnostics(
    scope: Construct,
    id_: str,
    target_resource_id: str,
    workspace_id: str,
    log_categories: tuple[str, ...] = (),
    log_category_groups: tuple[str, ...] = (),
    metrics: bool = True,
) -> MonitorDiagnosticSetting:
    """Diagnostic setting of one resource into the workspace (explicit categories keep costs visible)."""
    logs = [MonitorDiagnosticSettingEnabledLog(category=category) for category in log_categories]
    logs += [MonitorDiagnosticSettingEnabledLog(category_group=group) for group in log_category_groups]
    return MonitorDiagnosticSetting(
        scope,
        id_,
        name="to-log-analytics",
        target_resource_id=target_resource_id,
        log_analytics_workspace_id=workspace_id,
        enabled_log=logs or None,
        enabled_metric=[MonitorDiagnosticSettingEnabledMetric(category="AllMetrics")] if metrics else None,
    )


CONTAINER_INSIGHTS_STREAM = "Microsoft-ContainerInsights-Group-Default"


def container_insights(
    scope: Construct, *, cluster_id: str, workspace_id: str, name: str, location: str, resource_group_name: str, tags: dict[str, str]
) -> MonitorDataCollectionRuleAssociation:
    """The data collection rule the monitoring add-on reads with managed-identity auth: without
    it (and its association with the cluster) the agent runs but no logs arrive."""
    rule = MonitorDataCollectionRule(
        scope,
        "container_insights_rule",
        name=name,
        location=location,
        resource_group_name=resource_group_name,
        destinations=MonitorDataCollectionRuleDestinations(
            log_analytics=[MonitorDataCollectionRuleDestinationsLogAnalytics(name="workspace", workspace_resource_id=workspace_id)]
        ),
        data_flow=[MonitorDataCollectionRuleDataFlow(streams=[CONTAINER_INSIGHTS_STREAM], destinations=["workspace"])],
        data_sources=MonitorDataCollectionRuleDataSources(
            extension=[
                MonitorDataCollectionRuleDataSourcesExtension(
                    name="ContainerInsightsExtension",
                    extension_name="ContainerInsights",
                    streams=[CONTAINER_INSIGHTS_STREAM],
                    extension_json=json.dumps(
                        {"dataCollectionSettings": {"interval": "1m", "namespaceFilteringMode": "Off", "enableContainerLogV2": True}}, sort_keys=True
                    ),
                )
            ]
        ),
        tags=tags,
    )
    return MonitorDataCollectionRuleAssociation(
        scope, "container_insights_association", name="ContainerInsightsExtension", target_resource_id=cluster_id, data_collection_rule_id=rule.id
    )
