package vn.gov.haiduong.smarthd.app

import android.content.res.Resources
import java.util.Properties
import org.robolectric.annotation.Implementation
import org.robolectric.annotation.Implements
import org.robolectric.annotation.RealObject
import org.robolectric.shadows.ShadowResources
import org.robolectric.util.reflector.Direct
import org.robolectric.util.reflector.ForType
import org.robolectric.util.reflector.Reflector.reflector

/**
 * The libraries' strings and booleans. Their resources are not in these tests' resource table
 * (aapt2, which builds it, is not on Maven Central): a lookup the table cannot answer is answered
 * from the libraries' default values (res/values), which resolve.py lists by the ids of the R
 * classes it writes. Material 3 reads its labels this way, WorkManager a flag when it starts.
 */
@Implements(Resources::class)
class LibraryResources : ShadowResources() {
    @RealObject
    private lateinit var real: Resources

    @Implementation
    fun getBoolean(id: Int): Boolean = try {
        reflector(DirectResources::class.java, real).getBoolean(id)
    } catch (e: Resources.NotFoundException) {
        values[id]?.toBooleanStrict() ?: throw e
    }

    @Implementation
    fun getText(id: Int): CharSequence = try {
        reflector(DirectResources::class.java, real).getText(id)
    } catch (e: Resources.NotFoundException) {
        values[id] ?: throw e
    }

    @ForType(Resources::class)
    interface DirectResources {
        @Direct
        fun getBoolean(id: Int): Boolean

        @Direct
        fun getText(id: Int): CharSequence
    }

    private companion object {
        val values: Map<Int, String> by lazy {
            val properties = Properties()
            val stream = checkNotNull(LibraryResources::class.java.getResourceAsStream("/library-values.properties")) {
                "library-values.properties is not on the classpath (scripts/test-android-glue.sh puts it there)"
            }
            stream.reader(Charsets.UTF_8).use(properties::load)
            properties.entries.associate { (id, value) -> (id as String).toInt() to value as String }
        }
    }
}
