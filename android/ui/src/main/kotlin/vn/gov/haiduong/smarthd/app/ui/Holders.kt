package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.runtime.Composable
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
