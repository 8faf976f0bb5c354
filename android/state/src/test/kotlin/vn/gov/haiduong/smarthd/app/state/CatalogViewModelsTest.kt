package vn.gov.haiduong.smarthd.app.state

import java.time.Clock
import java.time.Instant
import java.time.ZoneOffset
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.Freshness
import vn.gov.haiduong.smarthd.app.testing.*

/** The catalog's age, favourites and recently viewed procedures, against a real sandbox. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CatalogViewModelsTest {
    private val world = SandboxWorld("catalog")
    private val client = world.client

    @BeforeAll
    fun syncCatalog() = runBlocking<Unit> { client.sync.catalog() }

    @AfterAll
    fun stop() = world.close()

    @Test
    fun `the catalog is out of date after a week, after a sync left half done, and never synced`() {
        val synced = "2026-12-01T08:00:00Z"
        val now = Instant.parse(synced)
        fun age(at: String?, complete: Boolean = true, later: java.time.Duration) =
            catalogAge(Freshness(at, complete, 300u), now.plus(later))
        assertEquals(CatalogAge.NeverSynced, age(null, later = java.time.Duration.ZERO))
        assertEquals(CatalogAge.Synced(synced, stale = false), age(synced, later = java.time.Duration.ofDays(7)))
        assertEquals(CatalogAge.Synced(synced, stale = true), age(synced, later = java.time.Duration.ofDays(7).plusMinutes(1)))
        assertEquals(CatalogAge.Synced(synced, stale = true), age(synced, complete = false, later = java.time.Duration.ofMinutes(1)))
        assertEquals(CatalogAge.Synced("yesterday", stale = true), age("yesterday", later = java.time.Duration.ZERO))
    }

    @Test
    fun `the search screen shows when the catalog was synced, stale once the clock is a week on`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val freshness = client.catalog.freshness()
            val syncedAt = Instant.parse(freshness.lastSuccessAt!!)
            val fresh = SearchViewModel(client, vm.scope, clock = Clock.fixed(syncedAt.plusSeconds(60), ZoneOffset.UTC))
            assertEquals(CatalogAge.Synced(freshness.lastSuccessAt!!, stale = false), fresh.state.awaitState { it.catalogAge != null }.catalogAge)
            val weekOn = Clock.fixed(syncedAt.plus(CATALOG_STALE_AFTER).plusSeconds(60), ZoneOffset.UTC)
            val old = SearchViewModel(client, vm.scope, clock = weekOn)
            assertEquals(CatalogAge.Synced(freshness.lastSuccessAt!!, stale = true), old.state.awaitState { it.catalogAge != null }.catalogAge)
        }
    }

    @Test
    fun `opening procedures lists them newest first, and the star adds and removes a favourite`() = runBlocking<Unit> {
        TestViewModelScope().use { vm ->
            val codes = client.catalog.search("").hits.map { it.code }.filter { it != BIRTH }.take(2) + BIRTH
            for (code in codes) {
                ProcedureViewModel(client, vm.scope, code).state.awaitState { it is ProcedureState.Loaded }
            }
            val saved = SavedProceduresViewModel(client, vm.scope)
            val listed = saved.state.awaitState { it.loaded }
            assertEquals(codes.reversed(), listed.recent.map { it.code }.take(3), "newest first")
            assertEquals(emptyList<String>(), listed.favorites.map { it.code })

            val birth = ProcedureViewModel(client, vm.scope, BIRTH)
            birth.state.awaitState { it is ProcedureState.Loaded }
            birth.toggleFavorite()
            birth.state.awaitState { it is ProcedureState.Loaded && it.favorite }
            saved.reload()
            assertEquals(listOf(BIRTH), saved.state.awaitState { it.favorites.isNotEmpty() }.favorites.map { it.code })

            saved.removeFavorite(BIRTH)
            saved.state.awaitState { it.favorites.isEmpty() }
            assertEquals(emptyList<String>(), client.catalog.favorites().map { it.code })
        }
    }
}
