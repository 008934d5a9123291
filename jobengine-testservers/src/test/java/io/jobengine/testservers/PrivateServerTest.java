package io.jobengine.testservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PrivateServerTest {

  @ParameterizedTest
  @EnumSource(ServerKind.class)
  void starts_a_hardened_server_with_a_test_database_and_deletes_its_data_when_closed(
      ServerKind kind) throws SQLException, java.io.IOException {
    assumeThat(PrivateServer.available(kind)).as("%s runs on this machine", kind).isTrue();
    Path data;
    try (PrivateServer server = PrivateServer.start(kind)) {
      List<String> anonymous = new ArrayList<>();
      String version;
      try (Connection c = DriverManager.getConnection(server.jdbcUrl("test"), server.user(),
              server.password());
          Statement s = c.createStatement()) {
        try (ResultSet rs = s.executeQuery("SELECT VERSION()")) {
          rs.next();
          version = rs.getString(1);
        }
        try (ResultSet rs = s.executeQuery("SELECT host FROM mysql.user WHERE user = ''")) {
          while (rs.next()) {
            anonymous.add(rs.getString(1));
          }
        }
      }
      assertThat(version).startsWith(switch (kind) {
        case MYSQL_8_0 -> "8.0.";
        case MARIADB_11_4 -> "11.4.";
        case MARIADB_10_11 -> "10.11.";
      });
      assertThat(anonymous).as("anonymous accounts").isEmpty();
      data = Path.of("target", "testservers", "run").toAbsolutePath();
      assertThat(server.running()).isTrue();
    }
    try (var left = Files.list(data)) {
      assertThat(left.filter(p -> p.getFileName().toString().startsWith(kind.propertyName())))
          .as("data directories left behind").isEmpty();
    }
  }
}
