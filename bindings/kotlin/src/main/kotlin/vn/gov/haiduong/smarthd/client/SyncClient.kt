package vn.gov.haiduong.smarthd.client

import vn.gov.haiduong.smarthd.DossierSyncReport
import vn.gov.haiduong.smarthd.SyncApi
import vn.gov.haiduong.smarthd.SyncReport

/**
 * `client.sync`: bringing the offline catalog and the outbox up to date. Cancelling the awaiting
 * coroutine stops the sync; what it committed stays, and the next one carries on.
 */
class SyncClient internal constructor(internal val api: SyncApi) {
    /** Brings the offline catalog up to date; progress arrives on `client.events`. */
    suspend fun catalog(): SyncReport = api.catalog()

    /** Sends the outbox, refreshes dossier statuses and settles payments; changes arrive on `client.events`. */
    suspend fun now(): DossierSyncReport = api.now()

    /** [now] when the network comes back: entries waiting out their backoff stay for later. */
    suspend fun whenOnline(): DossierSyncReport = api.whenOnline()
}
