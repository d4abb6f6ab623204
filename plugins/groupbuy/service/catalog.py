"""The catalog: products and their SKUs, own store stock, availability per community."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alliance_sdk import BadUserInput, Conflict, NotFound, scoped
from plugins.groupbuy.service.common import catalog_changed
from plugins.groupbuy.tables import GroupbuyProduct, GroupbuySku, GroupbuySkuCommunity

__all__ = ["NewProduct", "NewSku", "create_product", "set_stock"]

ZONES = ("ambient", "chilled", "frozen")


@dataclass
class NewSku:
    code: str
    name: str
    price_fen: int
    unit: str = "piece"
    stock: int = 0
    communities: list[int] = field(default_factory=list)  # empty: offered everywhere


@dataclass
class NewProduct:
    name: str
    category: str
    skus: list[NewSku]
    temperature_zone: str = "ambient"
    shelf_life_days: int = 0
    image_urls: list[str] = field(default_factory=list)
    origin_story: str = ""


def _check(product: NewProduct) -> None:
    errors: dict[str, str] = {}
    if not product.name.strip():
        errors["name"] = "required"
    if not product.category.strip():
        errors["category"] = "required"
    if product.temperature_zone not in ZONES:
        errors["temperatureZone"] = f"one of {', '.join(ZONES)}"
    if product.shelf_life_days < 0:
        errors["shelfLifeDays"] = "zero or more"
    if not product.skus:
        errors["skus"] = "at least one SKU"
    codes = [sku.code for sku in product.skus]
    if len(set(codes)) != len(codes):
        errors["skus"] = "SKU codes must differ"
    for i, sku in enumerate(product.skus):
        if not sku.code.strip() or len(sku.code) > 64:
            errors[f"skus.{i}.code"] = "1 to 64 characters"
        if sku.price_fen <= 0:
            errors[f"skus.{i}.priceFen"] = "a positive amount in fen"
        if sku.stock < 0:
            errors[f"skus.{i}.stock"] = "zero or more"
    if errors:
        raise BadUserInput("the product is not valid", field_errors=errors)


async def create_product(kernel: Any, member_id: int, product: NewProduct) -> int:
    """Create a product with its SKUs (one transaction); returns the product's id."""
    _check(product)
    now = kernel.clock()
    async with kernel.db.write():
        await catalog_changed(kernel, member_id)
        taken = await (
            scoped(GroupbuySku, member_id)
            .select(GroupbuySku.code)
            .where(GroupbuySku.code.is_in([s.code for s in product.skus]))
        )
        if taken:
            raise Conflict(
                "SKU code already in the catalog",
                field_errors={"skus": ", ".join(sorted(r["code"] for r in taken))},
            )
        row = GroupbuyProduct(
            member=member_id,
            name=product.name.strip(),
            category=product.category.strip(),
            temperature_zone=product.temperature_zone,
            shelf_life_days=product.shelf_life_days,
            image_urls=product.image_urls,
            origin_story=product.origin_story,
            created_at=now,
        )
        await scoped(GroupbuyProduct, member_id).insert(row)
        for sku in product.skus:
            sku_row = GroupbuySku(
                member=member_id,
                product=row.id,
                code=sku.code.strip(),
                name=sku.name or product.name,
                unit=sku.unit,
                price_fen=sku.price_fen,
                stock=sku.stock,
                sold=0,
                available_everywhere=not sku.communities,
                created_at=now,
            )
            await scoped(GroupbuySku, member_id).insert(sku_row)
            if sku.communities:
                await scoped(GroupbuySkuCommunity, member_id).insert(
                    *[
                        GroupbuySkuCommunity(member=member_id, sku=sku_row.id, community=c)
                        for c in sorted(set(sku.communities))
                    ]
                )
    return int(row.id)


async def set_stock(kernel: Any, member_id: int, code: str, stock: int) -> dict[str, Any]:
    """Set the store's own stock of SKU ``code`` (units on hand, not yet sold)."""
    if stock < 0:
        raise BadUserInput("stock must be zero or more", field_errors={"stock": "zero or more"})
    async with kernel.db.write():
        rows = await (
            scoped(GroupbuySku, member_id)
            .update({GroupbuySku.stock: stock})
            .where(GroupbuySku.code == code)
            .returning(GroupbuySku.id, GroupbuySku.stock, GroupbuySku.sold)
        )
        await catalog_changed(kernel, member_id)  # last: see catalog_changed
    if not rows:
        raise NotFound("SKU not found")
    return dict(rows[0])
