/** The controller process and its command-line launcher. */
package io.tamp.mgmt;
