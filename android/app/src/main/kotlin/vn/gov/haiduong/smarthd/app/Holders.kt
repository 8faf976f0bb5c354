package vn.gov.haiduong.smarthd.app

import androidx.compose.runtime.Composable
import androidx.compose.ui.platform.LocalContext
import androidx.lifecycle.ViewModel
import androidx.lifecycle.viewModelScope
import androidx.lifecycle.viewmodel.compose.viewModel
import kotlinx.coroutines.CoroutineScope

/**
 * Keeps a plain-Kotlin state holder (android/state) across configuration changes and gives it
 * `viewModelScope`: the only androidx glue the state holders need.
 */
class Holder<T : Any>(create: (CoroutineScope) -> T) : ViewModel() {
    val value: T = create(viewModelScope)
}

/** A state holder for this screen ([key] tells apart two screens of the same kind). */
@Composable
inline fun <reified T : Any> rememberHolder(key: String? = null, noinline create: (SmartHdApplication, CoroutineScope) -> T): T {
    val app = LocalContext.current.applicationContext as SmartHdApplication
    return viewModel(key = key ?: T::class.java.name) { Holder { scope -> create(app, scope) } }.value
}

/** The application (the core, the connectivity holder), from a composable. */
@Composable
fun smartHdApp(): SmartHdApplication = LocalContext.current.applicationContext as SmartHdApplication
