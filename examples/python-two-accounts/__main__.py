"""Postbacks in two Everflow affiliate accounts from one Python program.

The brand's postback uses the default provider, which reads the stack's everflow:apiKey (and
everflow:baseUrl). The partner's account gets a provider of its own, an explicit everflow.Provider with
its own key and base URL, and its postback names that provider:

    pulumi config set --secret everflow:apiKey <the brand account's key>
    pulumi config set --secret partnerApiKey <the partner account's key>
    pulumi config set partnerBaseUrl https://api-eu.eflow.team/v1   # optional: an EU-hosted partner
"""

import pulumi
import pulumi_everflow as everflow

config = pulumi.Config()

partner = everflow.Provider(
    "partner",
    # The provider stores its key encrypted in the state, however it is given.
    api_key=config.require_secret("partnerApiKey"),
    base_url=config.get("partnerBaseUrl"),
)

brand_conversion = everflow.Postback(
    "brand-conversion",
    delivery_method=everflow.DeliveryMethod.POSTBACK,
    pixel_level=everflow.PixelLevel.GLOBAL_,
    pixel_type=everflow.PixelType.CONVERSION,
    postback_url="https://track.brand.example.com/everflow?tid={transaction_id}&amount={revenue}",
)

partner_conversion = everflow.Postback(
    "partner-conversion",
    delivery_method=everflow.DeliveryMethod.POSTBACK,
    pixel_level=everflow.PixelLevel.SPECIFIC,
    network_offer_id=config.get_int("partnerOfferId") or 42,
    pixel_type=everflow.PixelType.CONVERSION,
    postback_url="https://partner.example.org/cb?click={transaction_id}&payout={payout_amount}",
    delay_ms=60000,
    opts=pulumi.ResourceOptions(provider=partner),
)

pulumi.export("brandPixelId", brand_conversion.pixel_id)
pulumi.export("partnerPixelId", partner_conversion.pixel_id)
