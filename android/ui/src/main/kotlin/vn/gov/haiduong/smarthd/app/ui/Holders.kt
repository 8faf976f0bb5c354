package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import androidx.lifecycle.viewmodel.compose.viewModel
import kotlinx.coroutines.CoroutineScope

/**
 * Keeps a plain-Kotlin state holder (android/state) across configuration changes and gives it
 * `viewModelScope`: the only lifecycle glue the state holders need (androidx.lifecycle on
 * Android, its JetBrains build on the desktop).
 */
class Holder<T : Any>(create: (CoroutineScope) -> T) : ViewModel() {
    val value: T = create(viewModelScope)
}

/** A state holder for this screen ([key] tells apart two screens of the same kind). */
@Composable
inline fun <reified T : Any> rememberHolder(key: String? = null, noinline create: (AppServices, CoroutineScope) -> T): T {
    val services = LocalServices.current
    return viewModel(key = key ?: T::class.java.name) { Holder { scope -> create(services, scope) } }.value
}

/**
 * Opens the browser page [url] once: a state that says "open this page" outlives the activity
 * (its holder survives a rotation), and the page must not open again when the activity is made
 * again. What was opened is kept in the saved state; a null [url] (the page done with) forgets it.
 */
@Composable
fun OpenPageOnce(url: String?, open: (String) -> Unit) {
    var opened by rememberSaveable { mutableStateOf<String?>(null) }
    LaunchedEffect(url) {
        if (url == null) {
            opened = null
        } else if (url != opened) {
            opened = url
            open(url)
        }
    }
}
