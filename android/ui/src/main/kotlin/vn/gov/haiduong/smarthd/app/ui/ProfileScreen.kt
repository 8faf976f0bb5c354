package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import vn.gov.haiduong.smarthd.app.state.LoginState
import vn.gov.haiduong.smarthd.app.state.SessionViewModel

/**
 * Login through VNeID (the Custom Tab is opened by the app frame), the profile with its level,
 * the resident's documents, appointments and receipts, logout, the settings; [onOpen] opens a route.
 */
@Composable
fun ProfileScreen(session: SessionViewModel, onOpen: (String) -> Unit) {
    val state by session.state.collectAsStateWithLifecycle()
    val platform = LocalServices.current.platform

    Column(Modifier.fillMaxWidth().padding(16.dp)) {
        when (val s = state) {
            is LoginState.LoggedIn -> {
                Text(s.name, style = MaterialTheme.typography.headlineSmall)
                Text(tr(Str.PROFILE_CCCD, s.maskedCccd))
                Text(tr(Str.PROFILE_LEVEL, s.level))
                listOf(
                    Routes.DOCUMENTS to Str.MY_DOCUMENTS,
                    Routes.APPOINTMENTS to Str.APPOINTMENTS,
                    Routes.RECEIPTS to Str.TAB_RECEIPTS,
                ).forEach { (route, label) ->
                    OutlinedButton(onClick = { onOpen(route) }, modifier = Modifier.padding(top = 8.dp).then(TouchSize)) { Text(tr(label)) }
                }
                if (s.level < 2) {
                    OutlinedButton(onClick = { session.login(2, sharedBrowser = platform.loginBrowserKeepsCookies) }) { Text(tr(Str.LOGIN_LEVEL2)) }
                }
                Button(
                    onClick = {
                        platform.discardCopies()
                        session.logout()
                    },
                    modifier = Modifier.padding(top = 16.dp),
                ) { Text(tr(Str.LOGOUT)) }
            }
            LoginState.Starting, LoginState.Completing, is LoginState.OpenBrowser -> {
                Text(tr(Str.LOGIN_WAITING))
                // The resident closed the Custom Tab without logging in.
                if (s is LoginState.OpenBrowser) OutlinedButton(onClick = session::onBrowserClosed) { Text(tr(Str.BACK)) }
            }
            is LoginState.LoggedOut, is LoginState.Failed -> {
                Text(tr(Str.LOGIN_TITLE), style = MaterialTheme.typography.headlineSmall)
                if (s is LoginState.Failed) Text(tr(Str.LOGIN_FAILED, s.message), color = MaterialTheme.colorScheme.error)
                if (s is LoginState.LoggedOut && s.expired) Text(tr(Str.LOGIN_EXPIRED))
                Button(onClick = { session.login(2, sharedBrowser = platform.loginBrowserKeepsCookies) }, modifier = Modifier.fillMaxWidth().padding(top = 16.dp)) {
                    Text(tr(Str.LOGIN_LEVEL2))
                }
                OutlinedButton(onClick = { session.login(1, sharedBrowser = platform.loginBrowserKeepsCookies) }, modifier = Modifier.fillMaxWidth()) {
                    Text(tr(Str.LOGIN_LEVEL1))
                }
            }
        }
        OutlinedButton(onClick = { onOpen(Routes.SETTINGS) }, modifier = Modifier.padding(top = 16.dp)) { Text(tr(Str.SETTINGS)) }
    }
}
