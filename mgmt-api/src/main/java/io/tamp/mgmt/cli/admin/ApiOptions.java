package io.tamp.mgmt.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.tamp.mgmt.client.TampClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * How an admin command reaches the controller: URL, TLS trust, credentials (a token, or a user and
 * password from the environment or a file — never from the command line, where ps shows it), and
 * the output format. Every option has an environment variable, so a script sets them once.
 */
public final class ApiOptions {
    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
            defaultValue = "${env:TAMP_URL:-https://127.0.0.1:8443}",
            description = "the controller's API (env TAMP_URL; default ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--cacert", scope = ScopeType.INHERIT, paramLabel = "PEM", defaultValue = "${env:TAMP_CACERT}",
            description = "trust this certificate (the controller's DATA/tls/server.crt) (env TAMP_CACERT)")
    Path caCert;

    @Option(names = "--insecure", scope = ScopeType.INHERIT,
            description = "do not verify the controller's certificate (testing only)")
    boolean insecure;

    @Option(names = "--user", scope = ScopeType.INHERIT, defaultValue = "${env:TAMP_USER:-admin}",
            description = "user to log in as (env TAMP_USER; default ${DEFAULT-VALUE})")
    String user;

    @Option(names = "--password-file", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "read the password from FILE (else env TAMP_PASSWORD)")
    Path passwordFile;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "print the API's JSON instead of a table")
    boolean json;

    /** A logged-in client: TAMP_TOKEN if set, else the user's password. */
    TampClient connect() throws IOException, InterruptedException {
        TampClient c = new TampClient(url, caCert, insecure);
        String token = System.getenv("TAMP_TOKEN");
        if (token != null && !token.isEmpty()) {
            c.useToken(token);
            return c;
        }
        c.login(user, password());
        return c;
    }

    String password() throws IOException {
        if (passwordFile != null) {
            return Files.readString(passwordFile).strip();
        }
        String p = System.getenv("TAMP_PASSWORD");
        if (p == null || p.isEmpty()) {
            throw new IllegalArgumentException("no credentials: set TAMP_TOKEN, or TAMP_PASSWORD, or give --password-file");
        }
        return p;
    }

    /** Prints JSON with --json, else the table. */
    void print(PrintWriter out, TampClient c, JsonNode node, Table table) throws IOException {
        if (json) {
            out.println(c.json().writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } else {
            out.print(table.render());
        }
        out.flush();
    }
}
