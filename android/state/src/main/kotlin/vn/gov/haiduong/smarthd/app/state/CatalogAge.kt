package vn.gov.haiduong.smarthd.app.state

import java.time.Duration
import java.time.Instant
import java.time.OffsetDateTime
import java.time.format.DateTimeParseException
import vn.gov.haiduong.smarthd.Freshness

/**
 * A catalog older than this may show fees or documents the portal has changed since: the
 * background sync runs every 30 minutes with a network, so a week without one means the phone
 * has been offline for long.
 */
val CATALOG_STALE_AFTER: Duration = Duration.ofDays(7)

/** How old the offline catalog is, as the search screen tells the resident. */
sealed interface CatalogAge {
    /** Never synced: there is nothing to search until the phone reaches the portal. */
    data object NeverSynced : CatalogAge

    /**
     * Last brought up to date at [at] (RFC 3339); [stale] when that is longer ago than
     * [CATALOG_STALE_AFTER] or the last sync was left half done.
     */
    data class Synced(val at: String, val stale: Boolean) : CatalogAge
}

/** [freshness] as of [now]. */
fun catalogAge(freshness: Freshness, now: Instant, staleAfter: Duration = CATALOG_STALE_AFTER): CatalogAge {
    val at = freshness.lastSuccessAt ?: return CatalogAge.NeverSynced
    val synced = try {
        OffsetDateTime.parse(at).toInstant()
    } catch (e: DateTimeParseException) {
        null // an unreadable time cannot vouch for the copy
    }
    val old = synced == null || Duration.between(synced, now) > staleAfter
    return CatalogAge.Synced(at, stale = old || !freshness.complete)
}
