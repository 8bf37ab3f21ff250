from celery import shared_task

from .services import RecomputeInProgress, price_history_purge, prices_recompute


@shared_task(acks_late=True)
def recompute_demand_prices() -> str:
    """Recompute the catalog's demand prices (hourly). Takes no arguments and is safe to run twice;
    while another recompute runs, this one does nothing."""
    try:
        result = prices_recompute(trigger="schedule")
    except RecomputeInProgress:
        return "skipped: another recompute is running"
    summary = result.summary
    return f"{summary.up} up, {summary.down} down of {result.run.variants_seen} variants"


@shared_task(acks_late=True)
def purge_old_price_history() -> str:
    """Delete price changes and recompute runs past PRICING_HISTORY_RETENTION_DAYS (daily; idempotent)."""
    purged = price_history_purge()
    return f"{purged.price_changes} price changes and {purged.runs} recompute runs purged"
