package io.tamp.mgmt.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tamp.mgmt.Tamp;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the launcher in-process with its output and error streams captured. */
final class Cli {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one command line did; toString() is what a failed assertion shows. */
    record Result(int exitCode, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (java.io.IOException e) {
                throw new AssertionError("stdout is not JSON: " + this, e);
            }
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {}

    static Result tamp(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        try (PrintWriter o = new PrintWriter(out, true); PrintWriter e = new PrintWriter(err, true)) {
            code = Tamp.run(o, e, args);
        }
        return new Result(code, out.toString(), err.toString());
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
