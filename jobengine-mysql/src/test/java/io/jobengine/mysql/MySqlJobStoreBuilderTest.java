package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.StoreException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MySqlJobStoreBuilderTest {

  @ParameterizedTest
  @ValueSource(strings = {"Jobs_", "1jobs", "jobs-", "jobs`; DROP TABLE x; --", "abcdefghijklmnopqrstuvwxy"})
  void a_bad_table_prefix_is_refused_naming_it(String prefix) {
    assertThatThrownBy(() -> MySqlJobStore.builder().tablePrefix(prefix))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'" + prefix + "'");
  }

  @Test
  void good_prefixes_are_taken() {
    MySqlJobStore.builder().tablePrefix("acme_jobs_").tablePrefix("a").tablePrefix("jobengine_");
  }

  @Test
  void an_empty_table_prefix_is_refused_saying_what_to_give() {
    assertThatThrownBy(() -> MySqlJobStore.builder().tablePrefix(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("table prefix is empty")
        .hasMessageContaining("'jobengine_'");
  }

  @Test
  void a_table_prefix_with_line_breaks_is_echoed_on_one_line() {
    assertThatThrownBy(() -> MySqlJobStore.builder().tablePrefix("jobs\nINFO forged\r"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'jobs\\nINFO forged\\r'")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"));
  }

  @Test
  void payload_limits_and_pool_sizes_out_of_range_are_refused() {
    assertThatThrownBy(() -> MySqlJobStore.builder().maxPayloadBytes(0))
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> MySqlJobStore.builder().maxPayloadBytes(MySqlJobStore.MAX_PAYLOAD_LIMIT + 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MySqlJobStore.builder().poolSize(0)).hasMessageContaining("got 0");
  }

  @Test
  void claim_rescan_intervals_out_of_range_are_refused() {
    MySqlJobStore.builder().claimRescanInterval(Duration.ZERO).claimRescanInterval(Duration.ofSeconds(10));
    assertThatThrownBy(() -> MySqlJobStore.builder().claimRescanInterval(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("between 0 and 10 seconds");
    assertThatThrownBy(() -> MySqlJobStore.builder().claimRescanInterval(Duration.ofSeconds(11)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void urls_that_are_not_connector_j_or_undo_the_hardening_are_refused() {
    assertThatThrownBy(() -> MySqlJobStore.builder().jdbcUrl("jdbc:postgresql://h/db", "u", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("jdbc:mysql:");
    assertThatThrownBy(
            () ->
                MySqlJobStore.builder()
                    .jdbcUrl("jdbc:mysql://h/db?useSSL=true&autoDeserialize=TRUE", "u", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'autoDeserialize'");
    assertThatThrownBy(
            () -> MySqlJobStore.builder().jdbcUrl("jdbc:mysql://h/db?allowLoadLocalInfile=true", "u", ""))
        .hasMessageContaining("allowLoadLocalInfile");
    assertThatThrownBy(() -> MySqlJobStore.builder().jdbcUrl("jdbc:mysql://h/db", " ", ""))
        .hasMessageContaining("user is blank");
  }

  @Test
  void a_data_source_and_a_url_exclude_each_other_and_one_is_needed() {
    assertThatThrownBy(
            () ->
                MySqlJobStore.builder()
                    .jdbcUrl("jdbc:mysql://h/db", "u", "")
                    .dataSource(TestDatabase.dataSource()))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> MySqlJobStore.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("dataSource(...) or jdbcUrl");
    assertThatThrownBy(
            () -> MySqlJobStore.builder().dataSource(TestDatabase.dataSource()).poolSize(3).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("poolSize(3)");
  }

  @Test
  void to_string_masks_the_password() {
    String text =
        MySqlJobStore.builder().jdbcUrl("jdbc:mysql://h/db", "app", "s3cret").toString();
    assertThat(text).contains("user=app").contains("password=***").doesNotContain("s3cret");
    assertThat(ConnectionPools.redact("jdbc:mysql://h/db?user=a&password=s3cret"))
        .doesNotContain("s3cret");
  }

  @Test
  void an_unreachable_server_is_reported_with_host_port_and_cause() {
    assertThatThrownBy(
            () ->
                MySqlJobStore.builder()
                    .jdbcUrl("jdbc:mysql://127.0.0.1:1/test?connectTimeout=2000", "root", "")
                    .build())
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("Cannot connect to the MySQL server at 127.0.0.1:1")
        .hasMessageContaining("refused");
  }

  @Test
  void a_wrong_password_is_reported_as_refused_by_the_server() {
    TestDatabase.Target t = TestDatabase.target();
    assertThatThrownBy(
            () -> MySqlJobStore.builder().jdbcUrl(t.url(), t.user(), t.password() + "-wrong").build())
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("refused user '" + t.user() + "'")
        .hasMessageContaining("Access denied");
  }

  @Test
  void driver_properties_in_code_reach_the_own_pool_but_not_those_the_store_sets_itself() {
    for (String own : List.of("autoReconnect", "AUTODESERIALIZE", "allowMultiQueries", "socketTimeout")) {
      assertThatThrownBy(() -> MySqlJobStore.builder().driverProperty(own, "true"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + own + "'")
          .hasMessageContaining("sets itself");
    }
    assertThatThrownBy(
            () ->
                MySqlJobStore.builder()
                    .dataSource(TestDatabase.dataSource())
                    .driverProperty("queryInterceptors", CountingInterceptor.class.getName())
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("driverProperty");

    TestDatabase.Target t = TestDatabase.target();
    long before = CountingInterceptor.STATEMENTS.get();
    try (MySqlJobStore store =
        MySqlJobStore.builder()
            .jdbcUrl(t.url(), t.user(), t.password())
            .driverProperty("queryInterceptors", CountingInterceptor.class.getName())
            .tablePrefix(TestDatabase.uniquePrefix("props"))
            .build()) {
      store.nodes();
      assertThat(store.toString()).contains("driver properties set in code [queryInterceptors]");
    }
    assertThat(CountingInterceptor.STATEMENTS.get()).isGreaterThan(before);
  }
}
