/** JMH suites and load drivers. */
package io.tamp.perf;
