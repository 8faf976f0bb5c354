package vn.gov.haiduong.smarthd.app.desktop

import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.remember
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.LifecycleOwner
import androidx.lifecycle.LifecycleRegistry
import androidx.lifecycle.ViewModelStore
import androidx.lifecycle.ViewModelStoreOwner
import androidx.lifecycle.compose.LocalLifecycleOwner
import androidx.lifecycle.viewmodel.compose.LocalViewModelStoreOwner
import vn.gov.haiduong.smarthd.app.ui.AppServices
import vn.gov.haiduong.smarthd.app.ui.LocalServices

/**
 * What an Android activity gives the screens, on the desktop: a resumed lifecycle and a store
 * for the state holders ([store]: clear it to end them, as leaving the activity does).
 */
class DesktopOwner : LifecycleOwner, ViewModelStoreOwner {
    private val registry = LifecycleRegistry.createUnsafe(this).apply { currentState = Lifecycle.State.RESUMED }
    override val lifecycle: Lifecycle get() = registry
    override val viewModelStore = ViewModelStore()
}

/** The screens' surroundings: [services], and [owner] as the activity. */
@Composable
fun DesktopHost(services: AppServices, owner: DesktopOwner = remember { DesktopOwner() }, content: @Composable () -> Unit) {
    CompositionLocalProvider(
        LocalServices provides services,
        LocalLifecycleOwner provides owner,
        LocalViewModelStoreOwner provides owner,
        content = content,
    )
}
