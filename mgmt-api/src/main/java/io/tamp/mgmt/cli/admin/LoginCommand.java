package io.tamp.mgmt.cli.admin;

import io.tamp.mgmt.client.TampClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tamp login}: prints a bearer token, for {@code export TAMP_TOKEN=$(tamp login)}. */
@Command(name = "login", description = "Log in and print a bearer token (export it as TAMP_TOKEN).")
public final class LoginCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    ApiOptions api;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TampClient c = new TampClient(api.url, api.caCert, api.insecure);
        spec.commandLine().getOut().println(c.login(api.user, api.password()));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
