package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.StoreException;
import io.jobengine.mysql.ServerCheck.ServerVersion;
import org.jooq.SQLDialect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The version logic, on version strings; no server needed. */
class ServerCheckTest {

  @ParameterizedTest
  @CsvSource({
    "8.0.36, false, 8, 0, 36",
    "8.4.6, false, 8, 4, 6",
    "9.1.0-commercial, false, 9, 1, 0",
    "8.0.11-TiDB-v7.5.0, false, 8, 0, 11",
    "10.11.19-MariaDB-0+deb12u1, true, 10, 11, 19",
    "5.5.5-10.11.19-MariaDB-0+deb12u1, true, 10, 11, 19",
    "10.6.0-MariaDB, true, 10, 6, 0",
    "11.4.2-MariaDB-ubu2404, true, 11, 4, 2",
  })
  void supported_versions_are_parsed_and_accepted(
      String text, boolean mariaDb, int major, int minor, int patch) {
    ServerVersion v = ServerCheck.requireSupported(ServerCheck.parse(text));
    assertThat(v.mariaDb()).isEqualTo(mariaDb);
    assertThat(v.major()).isEqualTo(major);
    assertThat(v.minor()).isEqualTo(minor);
    assertThat(v.patch()).isEqualTo(patch);
    assertThat(v.dialect()).isEqualTo(mariaDb ? SQLDialect.MARIADB : SQLDialect.MYSQL);
  }

  @ParameterizedTest
  @CsvSource({
    "5.7.44, MySQL 5.7.44, MySQL 8.0",
    "5.7.44-log, MySQL 5.7.44, MySQL 8.0",
    "5.6.51, MySQL 5.6.51, MySQL 8.0",
    "10.5.23-MariaDB, MariaDB 10.5.23, MariaDB 10.6",
    "5.5.5-10.4.32-MariaDB, MariaDB 10.4.32, MariaDB 10.6",
    "10.3.39-MariaDB-0+deb10u2, MariaDB 10.3.39, MariaDB 10.6",
  })
  void older_servers_are_refused_naming_the_version_found_and_the_minimum(
      String text, String found, String minimum) {
    assertThatThrownBy(() -> ServerCheck.requireSupported(ServerCheck.parse(text)))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(found)
        .hasMessageContaining("older than " + minimum)
        .hasMessageContaining("SKIP LOCKED");
  }

  @Test
  void a_version_without_numbers_is_refused() {
    assertThatThrownBy(() -> ServerCheck.parse("unknown"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("'unknown'");
  }

  @Test
  void a_packet_limit_without_room_for_the_largest_payload_is_refused_naming_both() {
    ServerCheck.ServerInfo info =
        new ServerCheck.ServerInfo(ServerCheck.parse("8.4.6"), 4L << 20, "app");
    ServerCheck.requirePacketRoom(info, 1 << 20);
    assertThatThrownBy(() -> ServerCheck.requirePacketRoom(info, 2 << 20))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("max_allowed_packet is " + (4L << 20))
        .hasMessageContaining("maxPayloadBytes=" + (2 << 20));
  }
}
