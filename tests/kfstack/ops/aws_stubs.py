"""Stubbed Service Quotas and Price List clients (botocore Stubber: moto covers neither fully), with
response bodies in the shape the real APIs return."""

import json

import boto3
from botocore.stub import Stubber

from kfstack.ops.pricing import product_filters

# us-west-2 On-Demand Linux prices (USD per hour) as listed in the Price List API
HOURLY_USD = {"m6i.xlarge": "0.1920000000", "g5.xlarge": "1.0060000000", "g5.2xlarge": "1.2120000000"}


def client(service: str, region: str):
    return boto3.client(service, region_name=region, aws_access_key_id="x", aws_secret_access_key="x")


def price_list_item(instance_type: str, region: str, usd: str) -> str:
    """One PriceList entry (the API returns each product as a JSON string)."""
    sku = f"{instance_type}-{region}".replace(".", "").replace("-", "").upper()
    return json.dumps({
        "product": {
            "productFamily": "Compute Instance",
            "attributes": {"instanceType": instance_type, "regionCode": region, "operatingSystem": "Linux",
                           "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used"},
            "sku": sku,
        },
        "serviceCode": "AmazonEC2",
        "terms": {"OnDemand": {f"{sku}.JRTCKXETXF": {
            "priceDimensions": {f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                "unit": "Hrs", "pricePerUnit": {"USD": usd}, "description": f"${usd} per On Demand Linux"}},
            "sku": sku,
        }}},
    })  # fmt: skip


def stub_prices(stub: Stubber, region: str, prices: dict[str, str | None]) -> None:
    """Queue one get_products answer per instance type, in order (None: no product listed)."""
    for instance_type, usd in prices.items():
        items = [] if usd is None else [price_list_item(instance_type, region, usd)]
        stub.add_response(
            "get_products",
            {"PriceList": items, "FormatVersion": "aws_v1"},
            {"ServiceCode": "AmazonEC2", "Filters": product_filters(instance_type, region), "FormatVersion": "aws_v1"},
        )


def stub_quota(stub: Stubber, code: str, value: float | None, default: float = 0.0) -> None:
    """An applied quota value, or (None) no applied value: then the AWS default is asked."""
    request = {"ServiceCode": "ec2", "QuotaCode": code}
    if value is not None:
        stub.add_response("get_service_quota", {"Quota": _quota(code, value)}, request)
        return
    stub.add_client_error("get_service_quota", "NoSuchResourceException", "no applied quota", 400, expected_params=request)
    stub.add_response("get_aws_default_service_quota", {"Quota": _quota(code, default)}, request)


def _quota(code: str, value: float) -> dict:
    return {"ServiceCode": "ec2", "QuotaCode": code, "QuotaName": code, "Value": value, "Unit": "None",
            "Adjustable": True, "GlobalQuota": False}
