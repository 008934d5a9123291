/**
 * The store SPI: what a job store implements so that the engine can keep its jobs there. See
 * {@link io.jobengine.spi.JobStore} for the guarantees every store gives. Parameters and return
 * values are non-null unless their documentation says otherwise.
 */
package io.jobengine.spi;
