# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_lrctl_global_optspecs
    string join \n root= j/json p/pretty h/help V/version
end

function __fish_lrctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_lrctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_lrctl_using_subcommand
    set -l cmd (__fish_lrctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c lrctl -n "__fish_lrctl_needs_command" -l root -d 'Read and write under DIR instead of / (a chroot, a test tree)' -r -f -a "(__fish_complete_directories)"
complete -c lrctl -n "__fish_lrctl_needs_command" -s j -l json -d 'JSON output, one line per document'
complete -c lrctl -n "__fish_lrctl_needs_command" -s p -l pretty -d 'Pretty-printed JSON output (implies --json)'
complete -c lrctl -n "__fish_lrctl_needs_command" -s h -l help -d 'Print help'
complete -c lrctl -n "__fish_lrctl_needs_command" -s V -l version -d 'Print version'
complete -c lrctl -n "__fish_lrctl_needs_command" -f -a "status" -d 'Module and kernel state, global settings, node distances with each node\'s reach, per-node memory, and settings that fight the policy'
complete -c lrctl -n "__fish_lrctl_needs_command" -f -a "show" -d 'A cgroup\'s configured and effective mode and distance, and its per-node counters'
complete -c lrctl -n "__fish_lrctl_needs_command" -f -a "set" -d 'Set a cgroup\'s (or the global) mode and distance'
complete -c lrctl -n "__fish_lrctl_needs_command" -f -a "top" -d 'Per-cgroup, per-node rates of the counters, refreshed until interrupted'
complete -c lrctl -n "__fish_lrctl_needs_command" -f -a "watch" -d 'Per-cgroup, per-node rates of the counters, refreshed until interrupted'
complete -c lrctl -n "__fish_lrctl_needs_command" -f -a "apply" -d 'Apply a configuration file: the global settings, then each cgroup\'s'
complete -c lrctl -n "__fish_lrctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c lrctl -n "__fish_lrctl_using_subcommand status" -l root -d 'Read and write under DIR instead of / (a chroot, a test tree)' -r -f -a "(__fish_complete_directories)"
complete -c lrctl -n "__fish_lrctl_using_subcommand status" -s j -l json -d 'JSON output, one line per document'
complete -c lrctl -n "__fish_lrctl_using_subcommand status" -s p -l pretty -d 'Pretty-printed JSON output (implies --json)'
complete -c lrctl -n "__fish_lrctl_using_subcommand status" -s h -l help -d 'Print help'
complete -c lrctl -n "__fish_lrctl_using_subcommand show" -l unit -d 'The cgroup of a systemd unit or slice (.service assumed without a suffix)' -r
complete -c lrctl -n "__fish_lrctl_using_subcommand show" -l pid -d 'The cgroup of a process' -r
complete -c lrctl -n "__fish_lrctl_using_subcommand show" -l root -d 'Read and write under DIR instead of / (a chroot, a test tree)' -r -f -a "(__fish_complete_directories)"
complete -c lrctl -n "__fish_lrctl_using_subcommand show" -s j -l json -d 'JSON output, one line per document'
complete -c lrctl -n "__fish_lrctl_using_subcommand show" -s p -l pretty -d 'Pretty-printed JSON output (implies --json)'
complete -c lrctl -n "__fish_lrctl_using_subcommand show" -s h -l help -d 'Print help'
complete -c lrctl -n "__fish_lrctl_using_subcommand set" -l unit -d 'The cgroup of a systemd unit or slice (.service assumed without a suffix)' -r
complete -c lrctl -n "__fish_lrctl_using_subcommand set" -l pid -d 'The cgroup of a process' -r
complete -c lrctl -n "__fish_lrctl_using_subcommand set" -l mode -d 'The mode: inherit, off, or flags among kswapd, direct, unmap' -r
complete -c lrctl -n "__fish_lrctl_using_subcommand set" -l distance -d 'The distance: inherit, or 10..254 (a SLIT distance)' -r
complete -c lrctl -n "__fish_lrctl_using_subcommand set" -l root -d 'Read and write under DIR instead of / (a chroot, a test tree)' -r -f -a "(__fish_complete_directories)"
complete -c lrctl -n "__fish_lrctl_using_subcommand set" -l global -d 'The global mode and node_reclaim_distance'
complete -c lrctl -n "__fish_lrctl_using_subcommand set" -s j -l json -d 'JSON output, one line per document'
complete -c lrctl -n "__fish_lrctl_using_subcommand set" -s p -l pretty -d 'Pretty-printed JSON output (implies --json)'
complete -c lrctl -n "__fish_lrctl_using_subcommand set" -s h -l help -d 'Print help'
complete -c lrctl -n "__fish_lrctl_using_subcommand top" -l interval -d 'Seconds between refreshes (0.1..3600)' -r
complete -c lrctl -n "__fish_lrctl_using_subcommand top" -l count -d 'Stop after N refreshes' -r
complete -c lrctl -n "__fish_lrctl_using_subcommand top" -l root -d 'Read and write under DIR instead of / (a chroot, a test tree)' -r -f -a "(__fish_complete_directories)"
complete -c lrctl -n "__fish_lrctl_using_subcommand top" -s j -l json -d 'JSON output, one line per document'
complete -c lrctl -n "__fish_lrctl_using_subcommand top" -s p -l pretty -d 'Pretty-printed JSON output (implies --json)'
complete -c lrctl -n "__fish_lrctl_using_subcommand top" -s h -l help -d 'Print help'
complete -c lrctl -n "__fish_lrctl_using_subcommand watch" -l interval -d 'Seconds between refreshes (0.1..3600)' -r
complete -c lrctl -n "__fish_lrctl_using_subcommand watch" -l count -d 'Stop after N refreshes' -r
complete -c lrctl -n "__fish_lrctl_using_subcommand watch" -l root -d 'Read and write under DIR instead of / (a chroot, a test tree)' -r -f -a "(__fish_complete_directories)"
complete -c lrctl -n "__fish_lrctl_using_subcommand watch" -s j -l json -d 'JSON output, one line per document'
complete -c lrctl -n "__fish_lrctl_using_subcommand watch" -s p -l pretty -d 'Pretty-printed JSON output (implies --json)'
complete -c lrctl -n "__fish_lrctl_using_subcommand watch" -s h -l help -d 'Print help'
complete -c lrctl -n "__fish_lrctl_using_subcommand apply" -l config -d 'The configuration file' -r -F
complete -c lrctl -n "__fish_lrctl_using_subcommand apply" -l unit -d 'Apply only the entries that resolve to this unit\'s cgroup (for a service\'s ExecStartPre=)' -r
complete -c lrctl -n "__fish_lrctl_using_subcommand apply" -l root -d 'Read and write under DIR instead of / (a chroot, a test tree)' -r -f -a "(__fish_complete_directories)"
complete -c lrctl -n "__fish_lrctl_using_subcommand apply" -s n -l dry-run -d 'Print what would be written, write nothing'
complete -c lrctl -n "__fish_lrctl_using_subcommand apply" -s j -l json -d 'JSON output, one line per document'
complete -c lrctl -n "__fish_lrctl_using_subcommand apply" -s p -l pretty -d 'Pretty-printed JSON output (implies --json)'
complete -c lrctl -n "__fish_lrctl_using_subcommand apply" -s h -l help -d 'Print help'
complete -c lrctl -n "__fish_lrctl_using_subcommand help; and not __fish_seen_subcommand_from status show set top apply help" -f -a "status" -d 'Module and kernel state, global settings, node distances with each node\'s reach, per-node memory, and settings that fight the policy'
complete -c lrctl -n "__fish_lrctl_using_subcommand help; and not __fish_seen_subcommand_from status show set top apply help" -f -a "show" -d 'A cgroup\'s configured and effective mode and distance, and its per-node counters'
complete -c lrctl -n "__fish_lrctl_using_subcommand help; and not __fish_seen_subcommand_from status show set top apply help" -f -a "set" -d 'Set a cgroup\'s (or the global) mode and distance'
complete -c lrctl -n "__fish_lrctl_using_subcommand help; and not __fish_seen_subcommand_from status show set top apply help" -f -a "top" -d 'Per-cgroup, per-node rates of the counters, refreshed until interrupted'
complete -c lrctl -n "__fish_lrctl_using_subcommand help; and not __fish_seen_subcommand_from status show set top apply help" -f -a "apply" -d 'Apply a configuration file: the global settings, then each cgroup\'s'
complete -c lrctl -n "__fish_lrctl_using_subcommand help; and not __fish_seen_subcommand_from status show set top apply help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
