package vn.gov.haiduong.smarthd.app.state

import java.nio.file.Files
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import vn.gov.haiduong.smarthd.client.SmartHdClient
import vn.gov.haiduong.smarthd.app.testing.*

/** Login states: begin, the browser's URL, the redirect, the profile, cancel and logout. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionViewModelTest {
    private val tmp = Files.createTempDirectory("smarthd-session")
    private val sandbox = Sandbox(tmp.resolve("sandbox"))

    @AfterAll
    fun stop() {
        sandbox.close()
        tmp.toFile().deleteRecursively()
    }

    @Test
    fun `a resident logs in at level 2 through the browser, sees the profile and logs out`() = runBlocking<Unit> {
        openClient(sandbox, tmp.resolve("login")).use { client ->
            TestViewModelScope().use { vm ->
                val session = SessionViewModel(client, vm.scope)
                assertEquals(LoginState.LoggedOut(), session.state.value)

                session.login(level = 2)
                val browser = session.state.awaitState { it is LoginState.OpenBrowser } as LoginState.OpenBrowser
                assertTrue(browser.url.startsWith(sandbox.url), browser.url)

                val callback = Robot.logIn(browser.url)
                assertTrue(callback.startsWith(SmartHdClient.LOGIN_REDIRECT_URI), callback)
                session.onRedirect(callback)
                val loggedIn = session.state.awaitState { it is LoginState.LoggedIn } as LoginState.LoggedIn
                assertEquals(2, loggedIn.level)
                assertEquals("030******234", loggedIn.maskedCccd)
                assertEquals("Nguyễn Văn An", loggedIn.name)

                // A new screen (process restart of the holder) finds the session.
                val again = SessionViewModel(client, vm.scope)
                assertEquals(loggedIn, again.state.awaitState { it is LoginState.LoggedIn })

                session.logout()
                session.state.awaitState { it is LoginState.LoggedOut }
                assertEquals(null, client.session.whoami())
            }
        }
    }

    @Test
    fun `closing the browser cancels the login and a bad redirect says why`() = runBlocking<Unit> {
        openClient(sandbox, tmp.resolve("cancel")).use { client ->
            TestViewModelScope().use { vm ->
                val session = SessionViewModel(client, vm.scope, english = true)
                session.login(level = 1)
                val browser = session.state.awaitState { it is LoginState.OpenBrowser } as LoginState.OpenBrowser
                assertTrue(browser.url.startsWith(sandbox.url), browser.url)
                session.onBrowserClosed()
                assertEquals(LoginState.LoggedOut(), session.state.value)

                // A login in progress meets a redirect with a forged state: refused for that
                // reason, and the real login is left alone.
                session.login(level = 1)
                val real = session.state.awaitState { it is LoginState.OpenBrowser } as LoginState.OpenBrowser
                val callback = Robot.logIn(real.url, cccd = Robot.LEVEL1_CCCD)
                session.onRedirect("${SmartHdClient.LOGIN_REDIRECT_URI}?code=forged&state=forged")
                val failed = session.state.awaitState { it is LoginState.Failed } as LoginState.Failed
                assertTrue(failed.message.contains("state mismatch"), failed.message)
                assertEquals(null, client.session.whoami())
                session.onRedirect(callback)
                val loggedIn = session.state.awaitState { it is LoginState.LoggedIn } as LoginState.LoggedIn
                assertEquals(1, loggedIn.level)
            }
        }
    }

    @Test
    fun `on a browser that keeps its cookies the next resident is asked for the credentials`() = runBlocking<Unit> {
        val phoneBrowser = Robot.sharedBrowser() // no ephemeral Custom Tab on this phone
        openClient(sandbox, tmp.resolve("shared")).use { client ->
            TestViewModelScope().use { vm ->
                val session = SessionViewModel(client, vm.scope)
                suspend fun logInAs(cccd: String, sharedBrowser: Boolean): LoginState.LoggedIn {
                    session.login(level = 1, sharedBrowser = sharedBrowser)
                    val browser = session.state.awaitState { it is LoginState.OpenBrowser } as LoginState.OpenBrowser
                    session.onRedirect(Robot.logIn(browser.url, cccd, browser = phoneBrowser))
                    val loggedIn = session.state.awaitState { it is LoginState.LoggedIn } as LoginState.LoggedIn
                    session.logout() // VNeID's own session stays in the browser (its logout page not reached)
                    session.state.awaitState { it is LoginState.LoggedOut }
                    return loggedIn
                }
                assertEquals("Nguyễn Văn An", logInAs(Robot.LEVEL2_CCCD, sharedBrowser = true).name)
                // The next resident on the same phone: VNeID shows its form, she is herself.
                assertEquals("Trần Thị Bình", logInAs(Robot.LEVEL1_CCCD, sharedBrowser = true).name)
                // What the prompt prevents: without it, VNeID's session in the browser logs the
                // next resident in as the last one, whatever he would have typed.
                assertEquals("Trần Thị Bình", logInAs(Robot.LEVEL2_CCCD, sharedBrowser = false).name)
            }
        }
    }
}
