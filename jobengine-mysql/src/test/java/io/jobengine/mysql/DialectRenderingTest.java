package io.jobengine.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.spi.ClaimRequest;
import java.time.Duration;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * The claim as each dialect renders it. The servers on hand may be of one kind only, so this pins
 * the other kind's SQL text: the MySQL form is what runs on MySQL 8.0+, the MariaDB form on 10.6+.
 */
class DialectRenderingTest {

  private static final JobTables TABLES = new JobTables("jobengine_");
  private static final ClaimRequest REQUEST =
      new ClaimRequest("node-1", "mail", Set.of("send"), 10, Duration.ofSeconds(30));

  private static String claim(SQLDialect dialect) {
    DSLContext ctx = DSL.using(dialect, Db.settings());
    return ctx.render(ClaimQueries.selectDue(ctx, TABLES, REQUEST));
  }

  @Test
  void mysql_claims_with_limit_for_update_skip_locked() {
    assertThat(claim(SQLDialect.MYSQL))
        .startsWith("select `id`, `type`, `queue`, `payload`")
        .contains("from `jobengine_job` where (`queue` = ? and `status` = ? and `run_at` <= "
            + "utc_timestamp(6) and `type` in (?))")
        .endsWith("order by `priority`, `run_at`, `id` limit ? for update skip locked");
  }

  @Test
  void mariadb_claims_with_fetch_next_for_update_skip_locked() {
    assertThat(claim(SQLDialect.MARIADB))
        .endsWith("order by `priority`, `run_at`, `id` fetch next ? rows only for update skip locked");
  }
}
