package vn.gov.haiduong.smarthd.app.ui

import androidx.compose.foundation.background
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.consumeWindowInsets
import androidx.compose.foundation.layout.imePadding
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.layout.widthIn
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
import androidx.compose.material3.TextButton
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.runtime.Composable
import androidx.compose.runtime.CompositionLocalProvider
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.runtime.remember
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalDensity
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.Density
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.unit.dp
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import androidx.navigation.NavBackStackEntry
import androidx.navigation.NavHostController
import androidx.navigation.NavType
import androidx.navigation.compose.NavHost
import androidx.navigation.compose.composable
import androidx.navigation.compose.currentBackStackEntryAsState
import androidx.navigation.compose.rememberNavController
import androidx.navigation.navArgument
import androidx.savedstate.read
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.emptyFlow
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.receiveAsFlow
import vn.gov.haiduong.smarthd.app.state.BrowserPage
import vn.gov.haiduong.smarthd.app.state.BrowserReturns
import vn.gov.haiduong.smarthd.app.state.LoginState
import vn.gov.haiduong.smarthd.app.state.SessionViewModel
import vn.gov.haiduong.smarthd.client.SmartHdClient

/** Routes; arguments are procedure codes, dossier and booking ids (URL-safe as they are). */
object Routes {
    const val HOME = "home"
    const val DOSSIERS = "dossiers"
    const val RECEIPTS = "receipts"
    const val REPORTS = "reports"
    const val INBOX = "inbox"
    const val PROFILE = "profile"
    const val SETTINGS = "settings"
    const val LOOKUP = "lookup"
    const val PROCEDURE = "procedure/{code}"
    const val FORM = "form?code={code}&dossier={dossier}"
    const val PAYMENT = "payment/{dossier}"
    const val DOSSIER = "dossier/{dossier}"
    const val SAVED = "saved"
    const val DOCUMENTS = "documents"
    const val APPOINTMENTS = "appointments"
    const val BOOKING = "booking?procedure={procedure}"
    const val APPOINTMENT = "appointment/{booking}"
    fun procedure(code: String) = "procedure/$code"
    fun newDossier(code: String) = "form?code=$code"
    fun draft(dossier: String) = "form?dossier=$dossier"
    fun payment(dossier: String) = "payment/$dossier"
    fun dossier(dossier: String) = "dossier/$dossier"
    /** Booking a visit, for [procedure] when the resident came from one. */
    fun booking(procedure: String? = null) = if (procedure == null) "booking" else "booking?procedure=$procedure"
    fun appointment(booking: String) = "appointment/$booking"
}

/**
 * The whole app under [LocalServices]: [links] are the browser's returns (the login redirect,
 * the gateway's return) and the links notifications open ([AppLinks]), [browserClosed] the
 * browser pages closed without their return ([BrowserReturns]), [startRoute] where it opens.
 */
@Composable
fun SmartHdAppUi(
    links: Flow<String>,
    browserClosed: Flow<BrowserPage> = emptyFlow(),
    darkTheme: Boolean = isSystemInDarkTheme(),
    startRoute: String = Routes.HOME,
) {
    val settings by LocalServices.current.settings.collectAsState()
    val phone = LocalDensity.current
    CompositionLocalProvider(
        LocalLanguage provides settings.language,
        LocalDensity provides Density(phone.density, phone.fontScale * settings.textScale),
    ) {
    MaterialTheme(colorScheme = if (darkTheme) darkColorScheme() else lightColorScheme()) {
        val session = rememberHolder("session") { app, scope -> SessionViewModel(app.client, scope, app.english) }
        // The gateway's returns, each to the payment screen on show (it checks the order is its dossier's).
        val paymentReturns = remember { Channel<String>(Channel.BUFFERED) }
        // The gateway's page closed without a return, for the payment screen on show.
        val gatewayClosures = remember { Channel<Unit>(Channel.CONFLATED) }
        val connectivity = LocalServices.current.connectivity
        val network by connectivity.state.collectAsStateWithLifecycle()
        // Told once per start, until the resident closes it: what could not be read was kept aside.
        val keptAside = LocalServices.current.client.keptAsideUnreadableData
        var keptAsideShown by rememberSaveable { mutableStateOf(keptAside) }
        val nav = rememberNavController()

        // The browser comes back here (the login redirect, the gateway's return), and so do
        // notifications. Navigating before NavHost has set its graph throws: wait for it.
        LaunchedEffect(links) {
            links.collect { link ->
                val route = AppLinks.route(link)
                when {
                    route != null -> nav.navigateWhenReady(route)
                    link.startsWith(SmartHdClient.LOGIN_REDIRECT_URI) -> session.onRedirect(link)
                    link.startsWith(SmartHdClient.PAYMENT_RETURN_URL) -> paymentReturns.send(link)
                }
            }
        }
        // A closed login page cancels that login; a closed gateway page goes to its payment screen.
        LaunchedEffect(browserClosed) {
            browserClosed.collect { page ->
                when (page) {
                    BrowserPage.LOGIN -> session.onBrowserClosed()
                    BrowserPage.GATEWAY -> gatewayClosures.send(Unit)
                }
            }
        }
        LaunchedEffect(startRoute) { if (startRoute != Routes.HOME) nav.navigateWhenReady(startRoute) }
        // Login from any screen: the ephemeral Custom Tab, and the provider's logout page.
        val login by session.state.collectAsStateWithLifecycle()
        val platform = LocalServices.current.platform
        OpenPageOnce((login as? LoginState.OpenBrowser)?.url, platform::openLogin)
        OpenPageOnce((login as? LoginState.LoggedOut)?.endSessionUrl, platform::openEndSession)

        Scaffold(bottomBar = { BottomBar(nav) }) { padding ->
            // Edge to edge, the keyboard covers the window: the screens end above it, so the
            // lower form fields stay in view while typing (no double count of the bottom bar).
            Column(Modifier.padding(padding).consumeWindowInsets(padding).imePadding()) {
                if (keptAsideShown) KeptAsideBanner(onClose = { keptAsideShown = false })
                if (network.offline) OfflineBanner()
                NavHost(nav, startDestination = Routes.HOME) {
                    composable(Routes.HOME) {
                        HomeScreen(onOpen = { nav.navigate(Routes.procedure(it)) }, onTask = { nav.navigate(it) { popUpTo(Routes.HOME) } })
                    }
                    composable(Routes.PROCEDURE) { entry ->
                        val code = entry.arg("code").orEmpty()
                        ProcedureScreen(
                            code,
                            onApply = { nav.navigate(Routes.newDossier(code)) },
                            onBook = { nav.navigate(Routes.booking(code)) },
                            onOpenProcedure = { nav.navigate(Routes.procedure(it)) },
                            onBack = nav::popBackStack,
                        )
                    }
                    composable(
                        Routes.FORM,
                        arguments = listOf("code", "dossier").map { name ->
                            navArgument(name) { type = NavType.StringType; nullable = true; defaultValue = null }
                        },
                    ) { entry ->
                        FormScreen(
                            procedureCode = entry.arg("code"),
                            dossierId = entry.arg("dossier"),
                            session = session,
                            onDone = { nav.navigate(Routes.DOSSIERS) { popUpTo(Routes.HOME) } },
                        )
                    }
                    composable(Routes.DOSSIERS) {
                        DossiersScreen(
                            onOpen = { nav.navigate(Routes.dossier(it)) },
                            onPay = { nav.navigate(Routes.payment(it)) },
                            onEdit = { nav.navigate(Routes.draft(it)) },
                        )
                    }
                    composable(Routes.DOSSIER) { entry ->
                        val dossier = entry.arg("dossier").orEmpty()
                        DossierScreen(dossier, onPay = { nav.navigate(Routes.payment(dossier)) }, onBack = nav::popBackStack)
                    }
                    composable(Routes.PAYMENT) { entry ->
                        PaymentScreen(
                            entry.arg("dossier").orEmpty(),
                            paymentReturns.receiveAsFlow(),
                            onBack = nav::popBackStack,
                            gatewayClosures = gatewayClosures.receiveAsFlow(),
                        )
                    }
                    composable(Routes.RECEIPTS) { ReceiptsScreen() }
                    composable(Routes.REPORTS) { ReportsScreen() }
                    composable(Routes.INBOX) { InboxScreen() }
                    composable(Routes.PROFILE) {
                        ProfileScreen(session, onOpen = { nav.navigate(it) })
                    }
                    composable(Routes.SAVED) { SavedProceduresScreen(onOpen = { nav.navigate(Routes.procedure(it)) }) }
                    composable(Routes.DOCUMENTS) { DocumentsScreen() }
                    composable(Routes.APPOINTMENTS) {
                        AppointmentsScreen(onOpen = { nav.navigate(Routes.appointment(it)) }, onBook = { nav.navigate(Routes.booking()) })
                    }
                    composable(
                        Routes.BOOKING,
                        arguments = listOf(navArgument("procedure") { type = NavType.StringType; nullable = true; defaultValue = null }),
                    ) { entry ->
                        // The ticket replaces the booking screen: back from it goes where the resident started.
                        BookingScreen(entry.arg("procedure"), onBooked = { booking ->
                            nav.navigate(Routes.appointment(booking)) { popUpTo(Routes.BOOKING) { inclusive = true } }
                        })
                    }
                    composable(Routes.APPOINTMENT) { entry ->
                        AppointmentScreen(entry.arg("booking").orEmpty(), onBack = nav::popBackStack)
                    }
                    composable(Routes.SETTINGS) { SettingsScreen(onBack = nav::popBackStack) }
                    composable(Routes.LOOKUP) { LookupScreen(onBack = nav::popBackStack) }
                }
            }
        }
    }
    }
}

@Composable
private fun OfflineBanner() {
    Text(
        tr(Str.OFFLINE_BANNER),
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
private fun KeptAsideBanner(onClose: () -> Unit) {
    Column(
        Modifier
            .fillMaxWidth()
            .background(MaterialTheme.colorScheme.errorContainer)
            .padding(horizontal = 16.dp, vertical = 8.dp)
            .semantics { liveRegion = LiveRegionMode.Polite },
    ) {
        Text(tr(Str.DATA_KEPT_ASIDE), color = MaterialTheme.colorScheme.onErrorContainer, style = MaterialTheme.typography.bodyMedium)
        TextButton(onClick = onClose, modifier = Modifier.align(Alignment.End)) { Text(tr(Str.UNDERSTOOD)) }
    }
}

@Composable
private fun BottomBar(nav: NavHostController) {
    val current = nav.currentBackStackEntryAsState().value?.destination?.route
    NavigationBar {
        listOf(
            Triple(Routes.HOME, Icons.Filled.Home, Str.TAB_HOME),
            Triple(Routes.DOSSIERS, Icons.Filled.List, Str.TAB_DOSSIERS),
            Triple(Routes.REPORTS, Icons.Filled.Place, Str.TAB_REPORTS),
            Triple(Routes.INBOX, Icons.Filled.Notifications, Str.TAB_INBOX),
            Triple(Routes.PROFILE, Icons.Filled.AccountCircle, Str.TAB_PROFILE),
        ).forEach { (route, icon, label) ->
            NavigationBarItem(
                selected = current == route,
                onClick = { nav.navigate(route) { popUpTo(Routes.HOME); launchSingleTop = true } },
                icon = { Icon(icon, contentDescription = null) }, // the label says it
                label = { TabLabel(tr(label)) },
            )
        }
    }
}

/** A route argument (a Bundle on Android, a SavedState on the desktop: read the same way). */
private fun NavBackStackEntry.arg(name: String): String? = arguments?.read { getStringOrNull(name) }

private suspend fun NavHostController.navigateWhenReady(route: String) {
    currentBackStackEntryFlow.first()
    navigate(route)
}

/**
 * A bottom-bar label grows with the resident's text size up to 1.15x: past that, five labels
 * in a phone's width would break inside words ("Hom e"); the screens' own text keeps growing.
 */
@Composable
private fun TabLabel(text: String) {
    val density = LocalDensity.current
    CompositionLocalProvider(LocalDensity provides Density(density.density, minOf(density.fontScale, 1.15f))) {
        Text(text, maxLines = 2, textAlign = TextAlign.Center)
    }
}

/** A phone's least touch target (Material's buttons and icon buttons draw 40 dp). */
val TouchSize = Modifier.heightIn(min = 48.dp).widthIn(min = 48.dp)
