/**
 * The public API of jobengine: what a host application codes against. Write a {@link
 * io.jobengine.JobHandler} per job type, enqueue {@link io.jobengine.JobRequest}s through a {@link
 * io.jobengine.JobClient}, and read {@link io.jobengine.JobInfo} snapshots back. Nothing here
 * depends on anything but the JDK. Parameters and return values are non-null unless their
 * documentation says otherwise.
 */
package io.jobengine;
