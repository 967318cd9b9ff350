"""Shared code of the marketplace's Lambda handlers (boto3 + stripe only; no import of `sim`).

Import the modules directly; this package imports nothing itself. The API (kept small and stable):

config          env(name, default) · require(name) · env_int(name, default) · table_name(env_var)
                event_bus() · metrics_namespace() · platform_fee_percent() · lock_timeout_seconds()
                tolerance_seconds() · stripe_webhook_secrets() · ConfigError
clock           now_s() · now_ms() · now_iso() · iso_from_s(s)   (time.time() only: the harness makes it virtual)
clients         client(service) → cached boto3 client, created lazily per (service, region, endpoint)
                from the environment at call time · reset()
stripe_client   stripe_client() → stripe.StripeClient(STRIPE_SECRET_KEY, base_addresses={"api":
                STRIPE_API_BASE} if set); use its v1 namespace · reset() · is_transient(exc) ·
                unavailable(exc) → the PaymentError for a transient Stripe failure
log             get_logger(name).info/warning/error/debug(message, **fields) → one JSON line with
                correlationId · set_correlation_id(cid) · correlation_id() · correlation_id_from(event, ctx)
                (also records the Lambda request id: request_id())
metrics         put_metrics({name: value}, namespace=None, dimensions=None, unit="Count") (ECOSYSTEMAWS/Webhooks)
events          publish(source, detail_type, detail) · publish_all([DomainEvent(source, detail_type, detail)])
                on MARKETPLACE_EVENT_BUS_ARN; failed entries retried (3 attempts) then PublishError
money           platform_fee(amount) (8 %, ROUND_HALF_UP to the minor unit) · split(amount) → FeeSplit(amount,
                platform_fee, provider_earnings) · prorated(part, of_amount, total) · parse_amount(v) ·
                parse_currency(v). Amounts are integer minor units (cents).
appsync         ERROR CONVENTION: raise ValidationError / NotFoundError / UnauthorizedError / ConflictError /
                PaymentError / InternalError (all AppSyncError; the class name is AppSync's errorType).
                @resolver("fn-name") def handler(ev: ResolverEvent, context) — parses {arguments, identity,
                info.fieldName, source, request.headers}, sets the correlation id, maps unexpected
                exceptions to InternalError. require_str(args, name) · optional_str · json_object (an
                object argument, also as JSON text) · error_dict(exc)
invocation      kind_of(event) (appsync, stepfunctions, eventbridge, cognito, stream) ·
                dispatch(name, event, context, fields=, actions=, on_event=, on_cognito=, on_stream=):
                the one entry point of the business handlers (correlation id, fail closed) · task_input
ddb             to_item / from_item (Decimal ↔ int/float) · Expr (placeholders) · is_condition_failure
repositories    BookingRepository, UserProfileRepository, ServiceRepository, DisputeRepository,
                PayoutRepository, RefundRepository, ConversationRepository, MessageRepository,
                NotificationRepository, NotificationPreferenceRepository, ProcessedWebhooksRepository:
                get(key) (consistent) · must_get(id, field=, what=) (ValidationError / NotFoundError) ·
                put(item, condition=, expr=) · create(item) → bool · update(key, fields,
                remove=, condition=, expr=) · query(index, key, value, range_...) · scan() · delete(key) ·
                cas_update(key, old, changes, watch) and one look-up per GSI (by_payment_intent, by_provider,
                by_stripe_account, by_booking, by_status, ...). ConditionFailed on a failed condition.
                Key conventions: Dispute.id / Payout.id / Refund.id are the Stripe ids (dp_/po_/re_).
dedup           WebhookDeduplicationService().acquire(event_id, source=...) → Acquisition(outcome, lock) ·
                mark_completed(lock, result) · mark_failed(lock, error) · mark_skipped(lock, reason) ·
                commit(lock, step, transition, write) · mark_published(lock, keys) (effects.published:
                the domain events already on the bus) · check(event_id); statuses PROCESSING, COMPLETED,
                FAILED, SKIPPED (see the module docstring for the exact conditions)
signatures      verify_stripe(payload, header, secrets, tolerance, now) · verify_github · verify_shopify
                → None when valid, else a reason string
precedence      the pure rules deciding which Stripe state wins (see its docstring)
stripe_events   process_stripe_event(event, ...) — the one processing path of stripe-webhook and
                webhook-reconciliation (dedup → dispatch → tables → domain events → COMPLETED/FAILED)
booking_events  transition_events(old, new, detail) (Booking Confirmed / Cancelled / Updated) · the booking's
                outbox for status events written outside stripe-webhook: outbox_changes · flush(booking, min_age_s)
                (claim → publish → clear, safe against concurrent flushers) · is_stale(booking)
stripe_objects  plain(obj) (SDK object → dict) · object_id(value) (an expandable field's id)
(booking_payments, booking_rules, idgen, isotime, qr, stripe_records: helpers of the
business handlers, documented in their own modules.)
"""
