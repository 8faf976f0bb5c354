package vn.gov.haiduong.smarthd.client

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.withContext
import vn.gov.haiduong.smarthd.AdminUnits
import vn.gov.haiduong.smarthd.CatalogApi
import vn.gov.haiduong.smarthd.FacetCount
import vn.gov.haiduong.smarthd.Freshness
import vn.gov.haiduong.smarthd.PageRequest
import vn.gov.haiduong.smarthd.Procedure
import vn.gov.haiduong.smarthd.SearchFilters
import vn.gov.haiduong.smarthd.SearchHit
import vn.gov.haiduong.smarthd.SearchPage

/** `client.catalog`: the offline procedures; every call a local read or write on [io]. */
class CatalogClient internal constructor(internal val api: CatalogApi, private val io: CoroutineDispatcher) {
    private val channel = SearchChannel(api)

    suspend fun search(
        query: String,
        filters: SearchFilters = SearchFilters(),
        page: PageRequest = PageRequest(),
    ): SearchPage = withContext(io) { channel.search(query, filters, page) }

    /** Completions of the search box text as it is typed ("dang k"): up to [limit] (1..20) names. */
    suspend fun suggest(prefix: String, limit: UInt = 8u): List<String> = withContext(io) { api.suggest(prefix, limit) }

    /** A procedure's whole record; noted as recently viewed. */
    suspend fun procedure(code: String): Procedure = withContext(io) { api.procedure(code) }

    suspend fun fields(): List<FacetCount> = withContext(io) { api.fields() }

    suspend fun agencies(): List<FacetCount> = withContext(io) { api.agencies() }

    suspend fun units(): AdminUnits = withContext(io) { api.units() }

    suspend fun freshness(): Freshness = withContext(io) { api.freshness() }

    suspend fun addFavorite(code: String) = withContext(io) { api.addFavorite(code) }

    suspend fun removeFavorite(code: String) = withContext(io) { api.removeFavorite(code) }

    suspend fun favorites(): List<SearchHit> = withContext(io) { api.favorites() }

    suspend fun recentlyViewed(limit: UInt = 20u): List<SearchHit> = withContext(io) { api.recentlyViewed(limit) }

    /** With the client: the search channel's handle, then the catalog's. */
    internal fun close() {
        channel.close()
        api.close()
    }
}
