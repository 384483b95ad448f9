"""Azure public-cloud regions this app accepts, with the short code used in derived names.

Short codes keep globally unique names (Key Vault: 24 characters) inside Azure's limits.
A region missing here is rejected by validation; add it with a code that is unique.
"""

# Regions with availability zones: MicrosoftDocs/reliability-docs articles/reliability/regions-list.md,
# "Azure regions list", tab "All" (lines 33-94, AZ column). Every other region here has none: either
# listed without the checkmark, or (jioindiacentral, jioindiawest, swedensouth) absent from that list.
REGIONS_WITH_ZONES: frozenset[str] = frozenset(
    {
        "australiaeast", "austriaeast", "belgiumcentral", "brazilsouth", "canadacentral", "centralindia", "centralus", "chilecentral",
        "denmarkeast", "eastasia", "eastus", "eastus2", "francecentral", "germanywestcentral", "indonesiacentral", "israelcentral",
        "italynorth", "japaneast", "japanwest", "koreacentral", "malaysiawest", "mexicocentral", "newzealandnorth", "northeurope",
        "norwayeast", "polandcentral", "qatarcentral", "southafricanorth", "southcentralus", "southeastasia", "spaincentral",
        "swedencentral", "switzerlandnorth", "uaenorth", "uksouth", "westeurope", "westus2", "westus3",
    }
)  # fmt: skip


AZURE_REGION_CODES: dict[str, str] = {
    "australiacentral": "auc",
    "australiacentral2": "auc2",
    "australiaeast": "aue",
    "australiasoutheast": "ause",
    "austriaeast": "ate",
    "belgiumcentral": "bec",
    "brazilsouth": "brs",
    "brazilsoutheast": "brse",
    "canadacentral": "cac",
    "canadaeast": "cae",
    "centralindia": "inc",
    "centralus": "cus",
    "chilecentral": "clc",
    "denmarkeast": "dke",
    "eastasia": "ea",
    "eastus": "eus",
    "eastus2": "eus2",
    "francecentral": "frc",
    "francesouth": "frs",
    "germanynorth": "gn",
    "germanywestcentral": "gwc",
    "indonesiacentral": "idc",
    "israelcentral": "ilc",
    "italynorth": "itn",
    "japaneast": "jpe",
    "japanwest": "jpw",
    "jioindiacentral": "jic",
    "jioindiawest": "jiw",
    "koreacentral": "krc",
    "koreasouth": "krs",
    "malaysiawest": "myw",
    "mexicocentral": "mxc",
    "newzealandnorth": "nzn",
    "northcentralus": "ncus",
    "northeurope": "neu",
    "norwayeast": "noe",
    "norwaywest": "now",
    "polandcentral": "plc",
    "qatarcentral": "qac",
    "southafricanorth": "san",
    "southafricawest": "saw",
    "southcentralus": "scus",
    "southeastasia": "sea",
    "southindia": "ins",
    "spaincentral": "spc",
    "swedencentral": "sdc",
    "swedensouth": "sds",
    "switzerlandnorth": "szn",
    "switzerlandwest": "szw",
    "uaecentral": "uac",
    "uaenorth": "uan",
    "uksouth": "uks",
    "ukwest": "ukw",
    "westcentralus": "wcus",
    "westeurope": "weu",
    "westindia": "inw",
    "westus": "wus",
    "westus2": "wus2",
    "westus3": "wus3",
}
