package io.jobengine.mysql;

import io.jobengine.JobNames;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Connector/J options a JDBC URL given to {@link MySqlJobStore.Builder#jdbcUrl} may not set,
 * whatever their value. A URL is configuration, often from a file or an environment variable that
 * more people can change than can change the code; these options would let it make the store's
 * JVM load and run classes, read local files or fetch URLs, deserialize objects, put SQL with its
 * bound values (payloads) into logs and exception messages, or undo the store's own settings.
 *
 * <p>The list, from the properties Connector/J 8 and 9 document (with their camel-case aliases):
 *
 * <ul>
 *   <li><b>Load classes named in the URL:</b> {@code queryInterceptors} (and its Connector/J 5
 *       name {@code statementInterceptors}), {@code exceptionInterceptors}, {@code
 *       connectionLifecycleInterceptors}, {@code authenticationPlugins}, {@code
 *       defaultAuthenticationPlugin} (a plugin name or a class name), {@code socketFactory}, {@code
 *       clientInfoProvider}, {@code propertiesTransform}, {@code loadBalanceExceptionChecker},
 *       {@code loadBalanceSQLExceptionSubclassFailover}, {@code ha.loadBalanceStrategy} and {@code
 *       loadBalanceStrategy} (a strategy name or a class name), {@code profilerEventHandler},
 *       {@code logger}, {@code queryInfoCacheFactory} and {@code parseInfoCacheFactory}, {@code
 *       serverConfigCacheFactory}, {@code authenticationOpenidConnectCallbackHandler}, {@code
 *       authenticationWebAuthnCallbackHandler}, {@code authenticationFidoCallbackHandler}, {@code
 *       xdevapi.compression-extensions}.
 *   <li><b>Read local files or URLs:</b> {@code allowLoadLocalInfile}, {@code
 *       allowLoadLocalInfileInPath}, {@code allowUrlInLocalInfile} ({@code LOAD DATA LOCAL}),
 *       {@code serverRSAPublicKeyFile}, {@code trustCertificateKeyStoreUrl}, {@code
 *       clientCertificateKeyStoreUrl}, {@code xdevapi.ssl-keystore}, {@code xdevapi.ssl-truststore},
 *       {@code ociConfigFile}, {@code idTokenFile}, {@code namedPipePath} and the host property
 *       {@code path} (named pipes), {@code useConfigs} (loads property files by name, which may set
 *       any option of this list).
 *   <li><b>Deserialize:</b> {@code autoDeserialize}.
 *   <li><b>Put SQL with bound values into logs or messages:</b> {@code profileSQL}, {@code
 *       traceProtocol}, {@code logSlowQueries}, {@code autoGenerateTestcaseScript}, {@code
 *       dumpQueriesOnException}, {@code enablePacketDebug}. Payloads never reach logs.
 *   <li><b>Undo the store's settings:</b> {@code autoReconnect} and {@code autoReconnectForPools}
 *       (would carry on a broken transaction on a new connection), {@code allowMultiQueries}.
 * </ul>
 *
 * Left allowed, as they load nothing and read no file: {@code disabledAuthenticationPlugins} (it
 * only names plugins not to use), {@code serverAffinityOrder}, {@code replicationConnectionGroup}
 * and {@code loadBalanceConnectionGroup} (host lists and group names), {@code
 * fallbackToSystemKeyStore} and {@code fallbackToSystemTrustStore} (the JVM's own key stores, set
 * by whoever starts the JVM: the way to use TLS client certificates or a private CA with the
 * store's own pool), {@code ociConfigProfile} (a name within {@code ociConfigFile}), and the
 * security provider names ({@code sslContextProvider} and the like), which pick among the JVM's
 * installed providers.
 *
 * <p>Options are found in every place Connector/J reads them: the query string ({@code
 * ?key=value&...}) and the host properties ({@code (host=h,key=value)}, {@code
 * address=(host=h)(key=value)}), by name without regard to case, as Connector/J matches them,
 * and after percent-decoding, which Connector/J applies to names. A text that only looks like an
 * option (inside another option's value) is refused too: a false alarm costs a clearer URL.
 */
final class JdbcUrlOptions {

  private static final String LOADS_CLASSES =
      "makes Connector/J load and run the classes it names";
  private static final String READS_FILES = "makes Connector/J read local files or fetch URLs";
  private static final String LOGS_SQL =
      "makes Connector/J put SQL with its bound values, payloads included, into logs or exception"
          + " messages";
  private static final String UNDOES_SETTINGS =
      "undoes a setting the store makes on its own connections";

  /** Lower-case name to the reason it is refused. */
  private static final Map<String, String> REFUSED = refused();

  /** An option's name: after the start of a query string, a separator, or a parenthesis. */
  private static final Pattern NAME =
      Pattern.compile("(?:^|[?&(,\\s])\\s*([A-Za-z][A-Za-z0-9._-]*)\\s*=");

  private static final Pattern PERCENT = Pattern.compile("%([0-9A-Fa-f]{2})");

  private JdbcUrlOptions() {}

  private static Map<String, String> refused() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String name :
        new String[] {
          "queryInterceptors", "statementInterceptors", "exceptionInterceptors",
          "connectionLifecycleInterceptors", "authenticationPlugins", "defaultAuthenticationPlugin",
          "socketFactory", "clientInfoProvider", "propertiesTransform",
          "loadBalanceExceptionChecker", "loadBalanceSQLExceptionSubclassFailover",
          "ha.loadBalanceStrategy", "haLoadBalanceStrategy", "loadBalanceStrategy",
          "profilerEventHandler", "logger", "queryInfoCacheFactory", "parseInfoCacheFactory",
          "serverConfigCacheFactory", "authenticationOpenidConnectCallbackHandler",
          "authenticationWebAuthnCallbackHandler", "authenticationFidoCallbackHandler",
          "xdevapi.compression-extensions", "xdevapiCompressionExtensions"
        }) {
      m.put(name.toLowerCase(Locale.ROOT), LOADS_CLASSES);
    }
    for (String name :
        new String[] {
          "allowLoadLocalInfile", "allowLoadLocalInfileInPath", "allowUrlInLocalInfile",
          "serverRSAPublicKeyFile", "trustCertificateKeyStoreUrl", "clientCertificateKeyStoreUrl",
          "xdevapi.ssl-keystore", "xdevapiSslKeystore", "xdevapiSslKeyStoreUrl",
          "xdevapi.ssl-truststore", "xdevapiSslTruststore", "xdevapiSslTrustStoreUrl",
          "ociConfigFile", "idTokenFile", "namedPipePath", "path"
        }) {
      m.put(name.toLowerCase(Locale.ROOT), READS_FILES);
    }
    m.put("useconfigs", "makes Connector/J load property files by name, which may set any option");
    m.put("autodeserialize", "makes Connector/J deserialize Java objects stored in BLOBs");
    for (String name :
        new String[] {
          "profileSQL", "traceProtocol", "logSlowQueries", "autoGenerateTestcaseScript",
          "dumpQueriesOnException", "enablePacketDebug"
        }) {
      m.put(name.toLowerCase(Locale.ROOT), LOGS_SQL);
    }
    for (String name : new String[] {"autoReconnect", "autoReconnectForPools", "allowMultiQueries"}) {
      m.put(name.toLowerCase(Locale.ROOT), UNDOES_SETTINGS);
    }
    return Map.copyOf(m);
  }

  /**
   * Refuses a URL that sets an option of the list, naming the first one found.
   *
   * @throws IllegalArgumentException naming the option, why, and what to do instead
   */
  static void refuseDangerous(String url) {
    Matcher m = NAME.matcher(percentDecoded(url));
    while (m.find()) {
      String name = m.group(1);
      String reason = REFUSED.get(name.toLowerCase(Locale.ROOT));
      if (reason != null) {
        throw new IllegalArgumentException(
            "The JDBC URL " + JobNames.quote(ConnectionPools.redact(url)) + " sets the Connector/J option "
                + JobNames.quote(name) + ", which " + reason + "; MySqlJobStore refuses it on its own pool,"
                + " whatever its value. Remove it from the URL; if you need it, set it in code with"
                + " driverProperty(name, value), or configure a DataSource yourself and pass it with"
                + " dataSource(...) instead of jdbcUrl(...)");
      }
    }
  }

  /** Decodes each %XX once, as Connector/J decodes option names; other text stays. */
  private static String percentDecoded(String url) {
    Matcher m = PERCENT.matcher(url);
    StringBuilder out = new StringBuilder(url.length());
    while (m.find()) {
      m.appendReplacement(
          out, Matcher.quoteReplacement(String.valueOf((char) Integer.parseInt(m.group(1), 16))));
    }
    m.appendTail(out);
    return out.toString();
  }
}
