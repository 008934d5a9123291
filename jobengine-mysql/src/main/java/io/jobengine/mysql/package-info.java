/**
 * The MySQL store: {@link io.jobengine.mysql.MySqlJobStore}, for MySQL 8.0+ and MariaDB 10.6+.
 * Everything else here is package-private: one small class per concern. {@code MySqlJobStore} is
 * the facade: it checks arguments and delegates. {@code StoreStartup} is what its builder's {@code
 * build()} runs: it opens the store's own pools ({@code ConnectionPools}), checks the server
 * ({@code ServerCheck}) and migrates ({@code Migrator}). {@code JobClaimer} runs claims with
 * {@code ClaimMemory}; {@code CompletionWriter} writes completions and judges a cut-off commit
 * ({@code CommitOutcome}). The SQL is in the query classes ({@code ClaimQueries}, {@code
 * EnqueueQueries}, {@code CompletionQueries}, {@code LeaseQueries}, {@code JobQueries}, {@code
 * NodeQueries}, {@code EventQueries}, {@code JobRecordMapper}), and {@code Db} is the one place
 * that builds jOOQ contexts and runs transactions.
 *
 * <h2>Hand-written table definitions, not generated jOOQ classes</h2>
 *
 * The tables are described once, by hand, in {@code JobTables} ({@code DSL.table(name(...))},
 * {@code DSL.field(name(...), SQLDataType...)}), and the DDL lives once, in the migration scripts.
 * Generated classes were weighed and left out because:
 *
 * <ul>
 *   <li>the table names are configurable (a prefix): generated classes carry fixed names and would
 *       need render mapping on every query, while a hand-written {@code Table} is simply built from
 *       the validated prefix;
 *   <li>generating from the DDL needs a running server (or jOOQ's DDL parser) in the build, and
 *       committing the output means keeping two copies of the schema in step; three small tables
 *       do not pay for that;
 *   <li>every statement touches one table, so columns need no table qualification and each column
 *       is one typed constant shared by all queries.
 * </ul>
 *
 * Queries stay typed: columns carry their {@code SQLDataType}, values are always bound. The only
 * plain-SQL fragments are {@code utc_timestamp(6)} and {@code date_add(?, interval ?
 * microsecond)} in {@code SqlTime}, which hold no values. Tests run every query against a real
 * server, which is what catches a column typo here.
 */
package io.jobengine.mysql;
