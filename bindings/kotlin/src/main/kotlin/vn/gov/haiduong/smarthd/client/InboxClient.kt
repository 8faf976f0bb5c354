package vn.gov.haiduong.smarthd.client

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.withContext
import vn.gov.haiduong.smarthd.InboxApi
import vn.gov.haiduong.smarthd.InboxItem

/** `client.inbox`: the city's alerts and the app's own notices, offline with read state; the push token. */
class InboxClient internal constructor(internal val api: InboxApi, private val io: CoroutineDispatcher) {
    /** Fetches what the portal published since the last sync; how many items are new. */
    suspend fun sync(): UInt = api.sync()

    /** The resident's inbox, offline: emergencies in force first, then newest first. */
    suspend fun list(): List<InboxItem> = withContext(io) { api.list() }

    suspend fun unread(): UInt = withContext(io) { api.unread() }

    suspend fun markRead(itemId: String) = withContext(io) { api.markRead(itemId) }

    /** Registers the FCM token for this resident; logging out removes it. */
    suspend fun registerPush(token: String, platform: String = "fcm") = api.registerPush(token, platform)
}
