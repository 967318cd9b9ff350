"""Ledger operations on the catalog: products and one-time prices (what Checkout line items sell).

    create_product(name, …)                     product.created
    create_price(currency, unit_amount, product=None, product_data=None, …)
                                                [product.created →] price.created

Both live on the account the request is made as (`account`: the Stripe-Account header; None: the
platform). Recurring prices and tiered billing are not modelled (a 400 says so).
"""

from __future__ import annotations

from sim.stripe import errors, objects_checkout, params
from sim.stripe.ops import OpResult, operation

PRODUCT_FIELDS = ("name", "description", "metadata", "active", "images", "url", "statement_descriptor", "unit_label")


class CatalogFlows:
    @operation
    def create_product(self, name=None, description: str | None = None, metadata: dict | None = None,
                       active=True, images=None, url: str | None = None, statement_descriptor: str | None = None,
                       unit_label: str | None = None, account: str | None = None,
                       idempotency_key: str | None = None) -> OpResult:
        owner = self._account_id(account, allow_platform=True)
        result = OpResult()
        self._new_product(owner, result, self._request(idempotency_key), name=name, description=description,
                          metadata=metadata, active=active, images=images, url=url,
                          statement_descriptor=statement_descriptor, unit_label=unit_label)
        return result

    def _new_product(self, owner: str, result: OpResult, request: dict, *, param: str = "", **fields) -> dict:
        """A product from `fields` (validated; `param` prefixes the names in errors: `product_data`)."""
        def name(key: str) -> str:
            return f"{param}[{key}]" if param else key

        if fields.get("name") in (None, ""):
            raise errors.required(name("name"))
        images = fields.get("images")
        if images is not None and not (isinstance(images, list) and all(isinstance(i, str) for i in images)):
            raise errors.invalid(name("images"), "Invalid array")
        prod = objects_checkout.product(
            self.ids, self.now(), name=params.string(name("name"), fields["name"]),
            description=params.string(name("description"), fields.get("description")),
            metadata=params.metadata(fields.get("metadata"), name("metadata")),
            active=params.boolean(name("active"), fields.get("active"), default=True), images=images,
            url=params.string(name("url"), fields.get("url")),
            statement_descriptor=params.string(name("statement_descriptor"), fields.get("statement_descriptor"),
                                               max_length=22),
            unit_label=params.string(name("unit_label"), fields.get("unit_label"), max_length=12))
        self._put(prod, owner)
        self._emit("product.created", prod, account=owner, request=request, result=result)
        result.objects["product"] = prod
        return prod

    @operation
    def create_price(self, currency=None, unit_amount=None, product=None, product_data: dict | None = None,
                     nickname: str | None = None, metadata: dict | None = None, active=True,
                     lookup_key: str | None = None, recurring=None, account: str | None = None,
                     idempotency_key: str | None = None) -> OpResult:
        owner = self._account_id(account, allow_platform=True)
        if recurring is not None:
            raise errors.invalid("recurring", "Recurring prices are not supported by this fake (one-time prices "
                                              "only, as Checkout's payment mode uses them).")
        result, request = OpResult(), self._request(idempotency_key)
        self._new_price(owner, result, request, currency=currency, unit_amount=unit_amount, product=product,
                        product_data=product_data, nickname=nickname, metadata=metadata, active=active,
                        lookup_key=lookup_key, announce=True)
        return result

    def _new_price(self, owner: str, result: OpResult, request: dict, *, currency, unit_amount, product,
                   product_data, param: str = "", announce: bool, nickname=None, metadata=None, active=True,
                   lookup_key=None) -> tuple[dict, str]:
        """A one-time price (validated) and its product's name. `announce=False` is Checkout's inline `price_data`: the
        price (and a `product_data` product) exist only inside the line item, with no events."""
        def name(key: str) -> str:
            return f"{param}[{key}]" if param else key

        currency = params.currency(name("currency"), currency)
        amount = params.integer(name("unit_amount"), unit_amount, minimum=0)
        if (product is None) == (product_data is None):
            raise errors.invalid(name("product"), "You must specify exactly one of these parameters: product, "
                                                  "product_data.")
        if product_data is not None:
            if not isinstance(product_data, dict):
                raise errors.invalid(name("product_data"), "Invalid object")
            unknown = set(product_data) - set(PRODUCT_FIELDS)
            if unknown:
                raise errors.unknown_param(f"{name('product_data')}[{sorted(unknown)[0]}]")
            if announce:
                prod = self._new_product(owner, result, request, param=name("product_data"), **product_data)
            else:
                prod = self._inline_product(product_data, name("product_data"))
        else:
            prod = self.get(product, "product", as_account=owner, param=name("product"))
        price = objects_checkout.price(
            self.ids, self.now(), owner, product=prod["id"], currency=currency, unit_amount=amount,
            nickname=params.string(name("nickname"), nickname), metadata=params.metadata(metadata, name("metadata")),
            lookup_key=params.string(name("lookup_key"), lookup_key, max_length=200),
            active=params.boolean(name("active"), active, default=True) if announce else False)
        if announce:
            self._put(price, owner)
            self._emit("price.created", price, account=owner, request=request, result=result)
            result.objects["price"] = price
        return price, prod["name"]

    def _inline_product(self, product_data: dict, param: str) -> dict:
        if product_data.get("name") in (None, ""):
            raise errors.required(f"{param}[name]")
        return {"id": self.ids.new("prod", self.now()), "name": params.string(f"{param}[name]", product_data["name"])}
