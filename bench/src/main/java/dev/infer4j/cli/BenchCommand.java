package dev.infer4j.cli;

import picocli.CommandLine.Command;

/** {@code infer4j bench ...}: the benchmarks. */
@Command(name = "bench", description = "Benchmarks.", mixinStandardHelpOptions = true,
        subcommands = {BenchServeCommand.class, BenchModelCommand.class, BenchCompareCommand.class,
                BenchSpecCommand.class})
final class BenchCommand {
}
