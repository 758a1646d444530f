/** Pool devices and segments, the reduction pipeline, volumes. */
package io.tamp.datapath;
