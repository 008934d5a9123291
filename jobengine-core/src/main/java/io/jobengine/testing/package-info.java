/**
 * A kit for testing job handlers without a database or threads: {@link
 * io.jobengine.testing.ManualJobEngine}, an engine a test steps by hand (claim once, run the
 * claimed jobs, renew once, reap once); {@link io.jobengine.testing.SettableClock}, a clock the
 * test moves; and {@link io.jobengine.testing.InMemoryJobStore}, a store that keeps its jobs in
 * memory, also the store of the quickstart and of demos. Nothing here is for production: the
 * in-memory store keeps nothing beyond the JVM. Parameters and return values are non-null unless
 * their documentation says otherwise.
 */
package io.jobengine.testing;
