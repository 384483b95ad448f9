"""Monitoring: a Log Analytics workspace and the diagnostic settings that feed it."""

from __future__ import annotations

from cdktf_cdktf_provider_azurerm.log_analytics_workspace import LogAnalyticsWorkspace
from cdktf_cdktf_provider_azurerm.monitor_diagnostic_setting import (
    MonitorDiagnosticSetting,
    MonitorDiagnosticSettingEnabledLog,
    MonitorDiagnosticSettingEnabledMetric,
)
from constructs import Construct


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
