package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.AccountCircle
import androidx.compose.material.icons.filled.Home
import androidx.compose.material.icons.filled.List
import androidx.compose.material.icons.filled.Notifications
import androidx.compose.material.icons.filled.Place
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.NavigationBar
import androidx.compose.material3.NavigationBarItem
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.navigation.NavHostController
import androidx.navigation.NavType
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.currentBackStackEntryAsState
import androidx.navigation.compose.rememberNavController
import androidx.navigation.navArgument
import kotlinx.coroutines.flow.Flow
import vn.gov.haiduong.smarthd.app.R
import vn.gov.haiduong.smarthd.app.rememberHolder
import vn.gov.haiduong.smarthd.app.smartHdApp
import vn.gov.haiduong.smarthd.app.platform.Browser
import vn.gov.haiduong.smarthd.app.state.LoginState
import vn.gov.haiduong.smarthd.app.state.PaymentViewModel
import vn.gov.haiduong.smarthd.app.state.SessionViewModel
import vn.gov.haiduong.smarthd.client.SmartHdClient

/** Routes; arguments are procedure codes and dossier ids (URL-safe as they are). */
object Routes {
    const val HOME = "home"
    const val DOSSIERS = "dossiers"
    const val RECEIPTS = "receipts"
    const val REPORTS = "reports"
    const val INBOX = "inbox"
    const val PROFILE = "profile"
    const val PROCEDURE = "procedure/{code}"
    const val FORM = "form?code={code}&dossier={dossier}"
    const val PAYMENT = "payment/{dossier}"
    fun procedure(code: String) = "procedure/$code"
    fun newDossier(code: String) = "form?code=$code"
    fun draft(dossier: String) = "form?dossier=$dossier"
    fun payment(dossier: String) = "payment/$dossier"
}

@Composable
fun SmartHdAppUi(deepLinks: Flow<String>, openDossier: String?) {
    MaterialTheme(colorScheme = if (isSystemInDarkTheme()) darkColorScheme() else lightColorScheme()) {
        val session = rememberHolder("session") { app, scope -> SessionViewModel(app.client, scope, app.english) }
        val payment = rememberHolder("payment") { app, scope -> PaymentViewModel(app.client, scope, app.connectivity, app.english) }
        val connectivity = smartHdApp().connectivity
        val network by connectivity.state.collectAsStateWithLifecycle()
        val nav = rememberNavController()

        // The browser comes back here: the login redirect or the gateway's return.
        LaunchedEffect(deepLinks) {
            deepLinks.collect { url ->
                if (url.startsWith(SmartHdClient.LOGIN_REDIRECT_URI)) session.onRedirect(url) else payment.onReturn(url)
            }
        }
        LaunchedEffect(openDossier) { if (openDossier != null) nav.navigate(Routes.DOSSIERS) }
        // Login from any screen: the ephemeral Custom Tab, and the provider's logout page.
        val login by session.state.collectAsStateWithLifecycle()
        val context = LocalContext.current
        val browser = login as? LoginState.OpenBrowser
        LaunchedEffect(browser?.url) { browser?.let { Browser.openLogin(context, it.url) } }
        val ended = (login as? LoginState.LoggedOut)?.endSessionUrl
        LaunchedEffect(ended) { ended?.let { Browser.openEndSession(context, it) } }

        Scaffold(bottomBar = { BottomBar(nav) }) { padding ->
            Column(Modifier.padding(padding)) {
                if (network.offline) OfflineBanner()
                NavHost(nav, startDestination = Routes.HOME) {
                    composable(Routes.HOME) { HomeScreen(onOpen = { nav.navigate(Routes.procedure(it)) }) }
                    composable(Routes.PROCEDURE) { entry ->
                        val code = entry.arguments?.getString("code").orEmpty()
                        ProcedureScreen(code, onApply = { nav.navigate(Routes.newDossier(code)) }, onBack = nav::popBackStack)
                    }
                    composable(
                        Routes.FORM,
                        arguments = listOf("code", "dossier").map { name ->
                            navArgument(name) { type = NavType.StringType; nullable = true; defaultValue = null }
                        },
                    ) { entry ->
                        FormScreen(
                            procedureCode = entry.arguments?.getString("code"),
                            dossierId = entry.arguments?.getString("dossier"),
                            session = session,
                            onDone = { nav.navigate(Routes.DOSSIERS) { popUpTo(Routes.HOME) } },
                        )
                    }
                    composable(Routes.DOSSIERS) {
                        DossiersScreen(
                            onPay = { nav.navigate(Routes.payment(it)) },
                            onEdit = { nav.navigate(Routes.draft(it)) },
                        )
                    }
                    composable(Routes.PAYMENT) { entry ->
                        PaymentScreen(entry.arguments?.getString("dossier").orEmpty(), payment, onBack = nav::popBackStack)
                    }
                    composable(Routes.RECEIPTS) { ReceiptsScreen() }
                    composable(Routes.REPORTS) { ReportsScreen() }
                    composable(Routes.INBOX) { InboxScreen() }
                    composable(Routes.PROFILE) { ProfileScreen(session, onReceipts = { nav.navigate(Routes.RECEIPTS) }) }
                }
            }
        }
    }
}

@Composable
private fun OfflineBanner() {
    Text(
        stringResource(R.string.offline_banner),
        color = MaterialTheme.colorScheme.onErrorContainer,
        style = MaterialTheme.typography.bodyMedium,
        modifier = Modifier
            .fillMaxWidth()
            .background(MaterialTheme.colorScheme.errorContainer)
            .padding(horizontal = 16.dp, vertical = 12.dp)
            .semantics { liveRegion = LiveRegionMode.Polite }, // TalkBack announces it
    )
}

@Composable
private fun BottomBar(nav: NavHostController) {
    val current = nav.currentBackStackEntryAsState().value?.destination?.route
    NavigationBar {
        listOf(
            Triple(Routes.HOME, Icons.Filled.Home, R.string.tab_home),
            Triple(Routes.DOSSIERS, Icons.Filled.List, R.string.tab_dossiers),
            Triple(Routes.REPORTS, Icons.Filled.Place, R.string.tab_reports),
            Triple(Routes.INBOX, Icons.Filled.Notifications, R.string.tab_inbox),
            Triple(Routes.PROFILE, Icons.Filled.AccountCircle, R.string.tab_profile),
        ).forEach { (route, icon, label) ->
            NavigationBarItem(
                selected = current == route,
                onClick = { nav.navigate(route) { popUpTo(Routes.HOME); launchSingleTop = true } },
                icon = { Icon(icon, contentDescription = null) }, // the label says it
                label = { Text(stringResource(label)) },
            )
        }
    }
}
