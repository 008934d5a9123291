package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

import com.mysql.cj.conf.ConnectionUrl;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Connector/J options that load classes, read files, deserialize, log SQL with its values or undo
 * the store's settings are refused in a JDBC URL whatever their value (issue 9, defect 5).
 */
class JdbcUrlOptionsTest {

  /** Every refused option, as Connector/J 8 and 9 name them (aliases included). */
  static final List<String> REFUSED =
      List.of(
          "queryInterceptors", "statementInterceptors", "exceptionInterceptors",
          "connectionLifecycleInterceptors", "authenticationPlugins", "defaultAuthenticationPlugin",
          "socketFactory", "clientInfoProvider", "propertiesTransform",
          "loadBalanceExceptionChecker", "loadBalanceSQLExceptionSubclassFailover",
          "ha.loadBalanceStrategy", "haLoadBalanceStrategy", "loadBalanceStrategy",
          "profilerEventHandler", "logger", "queryInfoCacheFactory", "parseInfoCacheFactory",
          "serverConfigCacheFactory", "authenticationOpenidConnectCallbackHandler",
          "authenticationWebAuthnCallbackHandler", "authenticationFidoCallbackHandler",
          "xdevapi.compression-extensions", "xdevapiCompressionExtensions",
          "allowLoadLocalInfile", "allowLoadLocalInfileInPath", "allowUrlInLocalInfile",
          "serverRSAPublicKeyFile", "trustCertificateKeyStoreUrl", "clientCertificateKeyStoreUrl",
          "xdevapi.ssl-keystore", "xdevapiSslKeystore", "xdevapiSslKeyStoreUrl",
          "xdevapi.ssl-truststore", "xdevapiSslTruststore", "xdevapiSslTrustStoreUrl",
          "ociConfigFile", "idTokenFile", "namedPipePath", "path", "useConfigs",
          "autoDeserialize", "profileSQL", "traceProtocol", "logSlowQueries",
          "autoGenerateTestcaseScript", "dumpQueriesOnException", "enablePacketDebug",
          "autoReconnect", "autoReconnectForPools", "allowMultiQueries");

  /** Each refused option in each form Connector/J reads, written as given and in other cases. */
  static Stream<Arguments> refusedOptionsInEveryForm() {
    return REFUSED.stream()
        .flatMap(
            name ->
                Stream.of(name, name.toUpperCase(Locale.ROOT), name.toLowerCase(Locale.ROOT))
                    .flatMap(
                        written ->
                            Stream.of(
                                "jdbc:mysql://db:3306/app?useSSL=true&" + written + "=false",
                                "jdbc:mysql://db:3306/app?" + written + "=com.example.Evil",
                                "jdbc:mysql://(host=db,port=3306," + written + "=x)/app",
                                "jdbc:mysql://(host=db, " + written + " = x)/app",
                                "jdbc:mysql://address=(host=db)(port=3306)(" + written + "=x)/app",
                                "jdbc:mysql:loadbalance://[(host=a," + written + "=x),b]/app")
                                .map(url -> Arguments.of(written, url))));
  }

  @ParameterizedTest
  @MethodSource("refusedOptionsInEveryForm")
  void a_refused_option_is_refused_in_every_form_and_case_naming_it(String written, String url) {
    assertThatThrownBy(() -> MySqlJobStore.builder().jdbcUrl(url, "app", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + written + "'")
        .hasMessageContaining("whatever its value")
        .hasMessageContaining("dataSource(...)");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "jdbc:mysql://db/app?useSSL=true&%71ueryInterceptors=x",
        "jdbc:mysql://db/app?useSSL=true&query%49nterceptors=x",
        "jdbc:mysql://db/app?useSSL=true&%61utoDeserialize=true"
      })
  void percent_encoded_names_are_decoded_as_connector_j_does(String url) {
    assertThat(connectorJSees(url)).as("Connector/J reads a refused option from %s", url).isTrue();
    assertThatThrownBy(() -> MySqlJobStore.builder().jdbcUrl(url, "app", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("whatever its value");
  }

  @Test
  void the_forms_tested_are_ones_connector_j_reads() {
    for (String url :
        List.of(
            "jdbc:mysql://db:3306/app?useSSL=true&QUERYINTERCEPTORS=x",
            "jdbc:mysql://(host=db,port=3306,queryInterceptors=x)/app",
            "jdbc:mysql://address=(host=db)(port=3306)(queryInterceptors=x)/app",
            "jdbc:mysql:loadbalance://[(host=a,queryInterceptors=x),b]/app")) {
      assertThat(connectorJSees(url)).as(url).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "jdbc:mysql://db:3306/app",
        "jdbc:mysql://db:3306/app?sslMode=VERIFY_IDENTITY&fallbackToSystemTrustStore=true"
            + "&fallbackToSystemKeyStore=true",
        "jdbc:mysql://db/app?disabledAuthenticationPlugins=mysql_clear_password",
        "jdbc:mysql://db/app?connectTimeout=2000&connectionAttributes=app:queryInterceptorsDemo",
        "jdbc:mysql:loadbalance://a,b/app?serverAffinityOrder=a,b&loadBalanceConnectionGroup=g",
        "jdbc:mysql:replication://a,b/app?replicationConnectionGroup=g",
        "jdbc:mysql://(host=db,port=3306,sslMode=REQUIRED)/app",
        "jdbc:mysql://db/app?sessionVariables=sql_mode='STRICT_ALL_TABLES'"
      })
  void options_that_load_and_read_nothing_are_accepted(String url) {
    assertThatNoException().isThrownBy(() -> MySqlJobStore.builder().jdbcUrl(url, "app", ""));
  }

  private static boolean connectorJSees(String url) {
    Properties seen =
        ConnectionUrl.getConnectionUrlInstance(url, new Properties())
            .getMainHost()
            .exposeAsProperties();
    return seen.stringPropertyNames().stream()
        .anyMatch(
            key ->
                key.equalsIgnoreCase("queryInterceptors")
                    || key.equalsIgnoreCase("autoDeserialize"));
  }
}
