package vn.gov.haiduong.smarthd.app.platform

import android.content.Context
import android.net.ConnectivityManager
import android.net.Network
import android.net.NetworkCapabilities
import vn.gov.haiduong.smarthd.app.state.Connectivity

/**
 * ConnectivityManager's view of the network, handed to [Connectivity]: the offline banner, and
 * `client.sync.whenOnline()` as soon as a validated network is back.
 */
class NetworkHints(context: Context, private val connectivity: Connectivity) {
    private val manager = context.getSystemService(ConnectivityManager::class.java)

    private val callback = object : ConnectivityManager.NetworkCallback() {
        override fun onCapabilitiesChanged(network: Network, capabilities: NetworkCapabilities) {
            connectivity.onNetworkChanged(capabilities.hasCapability(NetworkCapabilities.NET_CAPABILITY_VALIDATED))
        }

        override fun onLost(network: Network) {
            connectivity.onNetworkChanged(manager.activeNetwork != null && manager.activeNetwork != network)
        }
    }

    fun start() {
        val active = manager.getNetworkCapabilities(manager.activeNetwork)
        connectivity.onNetworkChanged(active?.hasCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET) == true)
        manager.registerDefaultNetworkCallback(callback)
    }

    fun stop() = manager.unregisterNetworkCallback(callback)
}
