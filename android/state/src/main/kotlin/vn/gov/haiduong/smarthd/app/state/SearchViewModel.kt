package vn.gov.haiduong.smarthd.app.state

import java.time.Clock
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.FlowPreview
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.flow.combine
import kotlinx.coroutines.flow.debounce
import kotlinx.coroutines.flow.distinctUntilChanged
import kotlinx.coroutines.flow.mapLatest
import kotlinx.coroutines.flow.update
import kotlinx.coroutines.launch
import vn.gov.haiduong.smarthd.FacetCount
import vn.gov.haiduong.smarthd.PageRequest
import vn.gov.haiduong.smarthd.SearchFilters
import vn.gov.haiduong.smarthd.SearchHit
import vn.gov.haiduong.smarthd.SmartHdException
import vn.gov.haiduong.smarthd.client.SmartHdClient

data class SearchState(
    /** What the resident typed (shown in the field at once). */
    val query: String = "",
    /** Lĩnh vực chosen on the browse screen, if any. */
    val field: String? = null,
    /** The query [hits] answer (lags [query] by the debounce). */
    val searchedQuery: String? = null,
    val hits: List<SearchHit> = emptyList(),
    val hasMore: Boolean = false,
    val fields: List<FacetCount> = emptyList(),
    val error: String? = null,
    /** How old the offline catalog is (null until read). */
    val catalogAge: CatalogAge? = null,
)

/**
 * Home: search as you type over the offline catalog (debounced: one search per pause in typing,
 * the newest query wins) and browse by field. Works offline.
 */
@OptIn(FlowPreview::class, ExperimentalCoroutinesApi::class)
class SearchViewModel(
    private val client: SmartHdClient,
    private val scope: CoroutineScope,
    private val debounceMillis: Long = 300,
    private val pageSize: UInt = 20u,
    private val clock: Clock = Clock.systemUTC(),
) {
    private val _state = MutableStateFlow(SearchState())
    val state: StateFlow<SearchState> = _state.asStateFlow()
    private val query = MutableStateFlow("")
    private val field = MutableStateFlow<String?>(null)

    init {
        scope.launch {
            // Typing waits for a pause; choosing a field (or clearing the query) answers at once.
            val typed = query.debounce { if (it.isBlank()) 0 else debounceMillis }
            combine(typed, field) { q, f -> q.trim() to f }
                .distinctUntilChanged()
                .mapLatest { (q, f) -> Triple(q, f, runSearch(q, f, 0u)) }
                .collect { (q, f, page) ->
                    _state.update {
                        page.fold(
                            { p -> it.copy(searchedQuery = q, hits = p.hits, hasMore = p.hasMore, error = null) },
                            { e -> it.copy(searchedQuery = q, hits = emptyList(), hasMore = false, error = e.message) },
                        ).copy(field = f)
                    }
                }
        }
        onCatalogSynced()
    }

    fun onQueryChange(text: String) {
        _state.update { it.copy(query = text) }
        query.value = text
    }

    /** Browse by field (null: every field). */
    fun selectField(name: String?) {
        field.value = name
    }

    /** The next page of the same results (infinite scroll). */
    fun loadMore() {
        val current = _state.value
        val q = current.searchedQuery ?: return
        if (!current.hasMore) return
        scope.launch {
            runSearch(q, current.field, current.hits.size.toUInt()).onSuccess { page ->
                _state.update { s -> if (s.searchedQuery == q) s.copy(hits = s.hits + page.hits, hasMore = page.hasMore) else s }
            }
        }
    }

    /** Lĩnh vực with their counts and the catalog's age (again after a catalog sync). */
    fun onCatalogSynced() {
        scope.launch {
            runCatching { client.catalog.fields() }.onSuccess { fields -> _state.update { it.copy(fields = fields) } }
            runCatching { client.catalog.freshness() }.onSuccess { freshness ->
                _state.update { it.copy(catalogAge = catalogAge(freshness, clock.instant())) }
            }
        }
    }

    private suspend fun runSearch(q: String, f: String?, offset: UInt) = try {
        Result.success(client.catalog.search(q, SearchFilters(field = f), PageRequest(offset, pageSize)))
    } catch (e: SmartHdException) {
        Result.failure(IllegalStateException(e.userMessage, e))
    }
}
