# fish completion for chatctl.
# Install: copy to ~/.config/fish/completions/chatctl.fish
# (or /usr/share/fish/vendor_completions.d/chatctl.fish).

function __chatctl_needs_command
    not __fish_seen_subcommand_from serve send tail admin bench chat
end

function __chatctl_admin_needs_noun
    __fish_seen_subcommand_from admin
    and not __fish_seen_subcommand_from node stats channel user kick ban unban bans publish token mesh-keygen
end

# `chatctl admin NOUN` without a verb yet: __chatctl_admin_needs_verb NOUN VERB...
function __chatctl_admin_needs_verb
    __fish_seen_subcommand_from admin
    and __fish_seen_subcommand_from $argv[1]
    and not __fish_seen_subcommand_from $argv[2..-1]
end

# `chatctl admin NOUN VERB`: __chatctl_admin_verb NOUN VERB
function __chatctl_admin_verb
    __fish_seen_subcommand_from admin
    and __fish_seen_subcommand_from $argv[1]
    and __fish_seen_subcommand_from $argv[2]
end

complete -c chatctl -f

# chatctl
complete -c chatctl -n __chatctl_needs_command -s h -l help -d 'Print help and exit'
complete -c chatctl -n __chatctl_needs_command -l version -d 'Print the version and exit'
complete -c chatctl -n __chatctl_needs_command -a serve -d 'Run a relay node'
complete -c chatctl -n __chatctl_needs_command -a send -d 'Send a message, or one per line of stdin'
complete -c chatctl -n __chatctl_needs_command -a tail -d 'Print, and optionally follow, channels'
complete -c chatctl -n __chatctl_needs_command -a admin -d 'Administer a cluster: users, rooms, bans, tokens, mesh keys'
complete -c chatctl -n __chatctl_needs_command -a bench -d 'Load a cluster and report throughput, latency and loss'
complete -c chatctl -n __chatctl_needs_command -a chat -d 'Chat interactively in a terminal'

# chatctl serve
set -l serve '__fish_seen_subcommand_from serve'
complete -c chatctl -n $serve -s h -l help -d 'Print help and exit'
complete -c chatctl -n $serve -l config -r -F -d 'Read these flags from a TOML or INI file'
complete -c chatctl -n $serve -l listen -x -d 'HOST:PORT to listen on (default 127.0.0.1:7447)'
complete -c chatctl -n $serve -l data -x -a '(__fish_complete_directories)' -d 'Directory for the SQLite history (default ./chatctl-data)'
complete -c chatctl -n $serve -l node-id -x -d 'Node id, unique in a cluster (0-1023, default 0)'
complete -c chatctl -n $serve -l secret-file -r -F -d 'HS256 key that signs and checks tokens'
complete -c chatctl -n $serve -l open -d 'Trust user names in hello on a non-loopback address'
complete -c chatctl -n $serve -l allow-register -d 'Let anyone create an account with the protocol'\''s register'
complete -c chatctl -n $serve -l log-level -x -a 'debug info warn error' -d 'Log level (default info)'
complete -c chatctl -n $serve -l log-format -x -a 'logfmt json' -d 'Log format (default logfmt)'
complete -c chatctl -n $serve -l durability -x -a 'normal\t"survive a crash" full\t"survive a power loss"' -d 'What an ack survives (default normal)'
complete -c chatctl -n $serve -l max-frame-bytes -x -d 'Largest inbound frame in bytes (default 65536)'
complete -c chatctl -n $serve -l max-text-chars -x -d 'Longest message text in characters (default 4096)'
complete -c chatctl -n $serve -l max-joins -x -d 'Channels one session may join (default 256)'
complete -c chatctl -n $serve -l rate-limit -x -d 'Messages per second per session, 0 for none (default 200)'
complete -c chatctl -n $serve -l rate-burst -x -d 'Messages a session may send at once (default 400)'
complete -c chatctl -n $serve -l max-outbound-bytes -x -d 'Bytes queued for a client before close 4408 (default 8 MiB)'
complete -c chatctl -n $serve -l max-pending-writes -x -d 'Writes waiting for the store before sends are refused (default 200000)'
complete -c chatctl -n $serve -l presence-events-max -x -d 'Sessions in a room past which joins and leaves are not announced (default 1000)'
complete -c chatctl -n $serve -l since-replay-max -x -d 'Messages a join with since replays (default 1000)'
complete -c chatctl -n $serve -l hello-timeout -x -d 'Seconds a client has to send hello (default 10)'
complete -c chatctl -n $serve -l ping-interval -x -d 'Seconds of silence before a ping (default 30)'
complete -c chatctl -n $serve -l bus -x -a 'local\t"this node alone" zmq\t"the ZeroMQ mesh"' -d 'Message bus'
complete -c chatctl -n $serve -l mesh-bind -x -d 'tcp://HOST:PORT for the mesh (default tcp://127.0.0.1:7448)'
complete -c chatctl -n $serve -l peer -x -d 'tcp://HOST:PORT of another node (repeatable)'
complete -c chatctl -n $serve -l mesh-insecure -d 'Allow an unencrypted mesh on a non-loopback address'
complete -c chatctl -n $serve -l mesh-key -r -F -d 'This node'\''s CURVE key pair file'
complete -c chatctl -n $serve -l mesh-trust -r -F -d 'File of public keys allowed in the mesh'
complete -c chatctl -n $serve -l web -x -a 'on off' -d 'Serve the web chat page at /'
complete -c chatctl -n $serve -l web-root -r -a '(__fish_complete_directories)' -d 'Serve the web page from this directory'
complete -c chatctl -n $serve -l allowed-origins -x -d 'Browser origins besides the node'\''s own that may open the WebSocket'

# options shared by send, tail and chat
set -l client '__fish_seen_subcommand_from send tail chat'
complete -c chatctl -n $client -s h -l help -d 'Print help and exit'
complete -c chatctl -n $client -s u -l url -x -d 'Node URL or comma-separated failover list (env CHATCTL_URL)'
complete -c chatctl -n $client -l token -x -d 'Token to log in with (env CHATCTL_TOKEN)'
complete -c chatctl -n $client -l password-file -r -F -d 'Log in as --as with the password in this file (env CHATCTL_PASSWORD)'
complete -c chatctl -n $client -l as -x -a '(__fish_complete_users)' -d 'User name on an open-mode node, or to log in as with a password'

# chatctl send
set -l send '__fish_seen_subcommand_from send'
complete -c chatctl -n $send -s c -l channel -x -d 'Room (or dm:A:B channel) to send to'
complete -c chatctl -n $send -l json -d 'Print each ack as one JSON line'
complete -c chatctl -n $send -l to -x -a '(__fish_complete_users)' -d 'User to send a direct message to'

# chatctl tail
set -l tail '__fish_seen_subcommand_from tail'
complete -c chatctl -n $tail -s c -l channel -x -d 'Channel to read (repeat for several; required)'
complete -c chatctl -n $tail -l json -d 'Print each message as its protocol JSON object'
complete -c chatctl -n $tail -s n -l last -x -d 'How many recent messages to print first (default 10)'
complete -c chatctl -n $tail -l since -x -d 'Print every message after this id instead'
complete -c chatctl -n $tail -s f -l follow -d 'Keep printing new messages as they come'

# chatctl chat
set -l chat '__fish_seen_subcommand_from chat'
complete -c chatctl -n $chat -s c -l channel -x -d 'Room to open (repeat for several; default: the last run'\''s)'
complete -c chatctl -n $chat -l to -x -a '(__fish_complete_users)' -d 'Open a direct conversation with USER'
complete -c chatctl -n $chat -s n -l last -x -d 'How many recent messages each room shows (default 50)'
complete -c chatctl -n $chat -l scrollback -x -d 'Lines kept per room (default 10000)'

# chatctl bench
set -l bench '__fish_seen_subcommand_from bench'
complete -c chatctl -n $bench -s h -l help -d 'Print help and exit'
complete -c chatctl -n $bench -s u -l url -x -d 'URLs: publishers on the first, subscribers spread over all'
complete -c chatctl -n $bench -l token -x -d 'Token to log in with (env CHATCTL_TOKEN)'
complete -c chatctl -n $bench -l as -x -d 'Open mode: prefix of the user names'
complete -c chatctl -n $bench -l protocol -x -a 'chatctl nats mqtt' -d 'Protocol to speak (default chatctl)'
complete -c chatctl -n $bench -l subs -x -d 'Subscriber connections (default 50)'
complete -c chatctl -n $bench -l pubs -x -d 'Publisher connections (default 1)'
complete -c chatctl -n $bench -l channels -x -d 'Channels to spread connections over (default 1)'
complete -c chatctl -n $bench -l msgs -x -d 'Messages to publish in all (default 100000)'
complete -c chatctl -n $bench -l duration -x -d 'Publish for this long instead (e.g. 10s)'
complete -c chatctl -n $bench -l rate -x -d 'Messages per second in all, 0 for as fast as acks allow'
complete -c chatctl -n $bench -l window -x -d 'Unacknowledged messages per publisher (default 100)'
complete -c chatctl -n $bench -l size -x -d 'Payload bytes, at least 21 (default 64)'
complete -c chatctl -n $bench -l warmup -x -d 'Publish this long before measuring (e.g. 2s)'
complete -c chatctl -n $bench -l hold -x -d 'Keep every connection open this long after the run'
complete -c chatctl -n $bench -l threads -x -d 'Client threads, one libwebsockets context each (default 2)'
complete -c chatctl -n $bench -l json -d 'Print one JSON object instead of the report'

# chatctl admin
complete -c chatctl -n __chatctl_admin_needs_noun -s h -l help -d 'Print help and exit'
complete -c chatctl -n __chatctl_admin_needs_noun -a node -d 'The nodes of the cluster'
complete -c chatctl -n __chatctl_admin_needs_noun -a stats -d 'Counters of one node'
complete -c chatctl -n __chatctl_admin_needs_noun -a channel -d 'Rooms: list, create, delete, topic, members'
complete -c chatctl -n __chatctl_admin_needs_noun -a user -d 'Accounts: list, add, passwd, disable, delete'
complete -c chatctl -n __chatctl_admin_needs_noun -a kick -d 'Close a user'\''s sessions, or take it out of a room'
complete -c chatctl -n __chatctl_admin_needs_noun -a ban -d 'Ban a user from a room or the cluster'
complete -c chatctl -n __chatctl_admin_needs_noun -a unban -d 'Lift a ban'
complete -c chatctl -n __chatctl_admin_needs_noun -a bans -d 'List bans'
complete -c chatctl -n __chatctl_admin_needs_noun -a publish -d 'Post a message to a room or a user'
complete -c chatctl -n __chatctl_admin_needs_noun -a token -d 'Mint a token (JWT, HS256) for a user'
complete -c chatctl -n __chatctl_admin_needs_noun -a mesh-keygen -d 'Make a CURVE key pair for the mesh'

# options of every admin verb that calls the node's admin API (token: without --secret-file)
set -l api '__fish_seen_subcommand_from admin; and __fish_seen_subcommand_from node stats channel user kick ban unban bans publish token'
complete -c chatctl -n $api -s h -l help -d 'Print help and exit'
complete -c chatctl -n $api -s u -l url -x -d 'Node URL or comma-separated failover list (env CHATCTL_URL)'
complete -c chatctl -n $api -l token -x -d 'An administrator'\''s token (env CHATCTL_TOKEN)'
complete -c chatctl -n $api -l json -d 'Print the node'\''s answer as one JSON line'

# chatctl admin node
complete -c chatctl -n '__chatctl_admin_needs_verb node list' -a list -d 'This node and the peers it sees'

# chatctl admin channel
set -l channel_verbs list info create delete topic members invite remove presence
complete -c chatctl -n "__chatctl_admin_needs_verb channel $channel_verbs" -a list -d 'List rooms by name'
complete -c chatctl -n "__chatctl_admin_needs_verb channel $channel_verbs" -a info -d 'A room: kind, topic, owner, members'
complete -c chatctl -n "__chatctl_admin_needs_verb channel $channel_verbs" -a create -d 'Create a room'
complete -c chatctl -n "__chatctl_admin_needs_verb channel $channel_verbs" -a delete -d 'Delete a room'
complete -c chatctl -n "__chatctl_admin_needs_verb channel $channel_verbs" -a topic -d 'Set a room'\''s topic'
complete -c chatctl -n "__chatctl_admin_needs_verb channel $channel_verbs" -a members -d 'List a room'\''s members and roles'
complete -c chatctl -n "__chatctl_admin_needs_verb channel $channel_verbs" -a invite -d 'Add a member, or change a member'\''s role'
complete -c chatctl -n "__chatctl_admin_needs_verb channel $channel_verbs" -a remove -d 'Take a member out of a room'
complete -c chatctl -n "__chatctl_admin_needs_verb channel $channel_verbs" -a presence -d 'Who is in a room now'
complete -c chatctl -n '__chatctl_admin_verb channel list' -l prefix -x -d 'Only rooms whose name starts so'
complete -c chatctl -n '__chatctl_admin_verb channel list' -l limit -x -d 'At most N rooms (1-1000, default 100)'
complete -c chatctl -n '__chatctl_admin_verb channel create' -l private -d 'Members only'
complete -c chatctl -n '__chatctl_admin_verb channel create' -l topic -x -d 'The room'\''s topic'
complete -c chatctl -n '__chatctl_admin_verb channel create' -l owner -x -d 'User who owns the room'
complete -c chatctl -n '__chatctl_admin_verb channel invite' -l role -x -a 'member admin owner' -d 'The member'\''s role (default member)'

# chatctl admin user
set -l user_verbs list search show add passwd disable enable delete
complete -c chatctl -n "__chatctl_admin_needs_verb user $user_verbs" -a list -d 'List users by name, a page at a time'
complete -c chatctl -n "__chatctl_admin_needs_verb user $user_verbs" -a search -d 'List users whose name starts with a prefix'
complete -c chatctl -n "__chatctl_admin_needs_verb user $user_verbs" -a show -d 'One user: admin, disabled, banned'
complete -c chatctl -n "__chatctl_admin_needs_verb user $user_verbs" -a add -d 'Create an account with a password'
complete -c chatctl -n "__chatctl_admin_needs_verb user $user_verbs" -a passwd -d 'Set a user'\''s password'
complete -c chatctl -n "__chatctl_admin_needs_verb user $user_verbs" -a disable -d 'Refuse a user'\''s logins'
complete -c chatctl -n "__chatctl_admin_needs_verb user $user_verbs" -a enable -d 'Let a disabled user log in again'
complete -c chatctl -n "__chatctl_admin_needs_verb user $user_verbs" -a delete -d 'Delete an account'
complete -c chatctl -n '__chatctl_admin_verb user list' -l prefix -x -d 'Only users whose name starts so'
complete -c chatctl -n '__chatctl_admin_verb user list; or __chatctl_admin_verb user search' -l after -x -d 'Start after this name (the next page)'
complete -c chatctl -n '__chatctl_admin_verb user list; or __chatctl_admin_verb user search' -l limit -x -d 'At most N users (1-1000, default 100)'
complete -c chatctl -n '__chatctl_admin_verb user add' -l admin -d 'Make the account an administrator'
complete -c chatctl -n '__chatctl_admin_verb user add; or __chatctl_admin_verb user passwd' -l password-stdin -d 'Read the password from stdin'
complete -c chatctl -n '__chatctl_admin_verb user add; or __chatctl_admin_verb user passwd' -l password-file -r -F -d 'Read the password from a file'

# chatctl admin kick, ban, unban, bans, publish
set -l moderation '__fish_seen_subcommand_from admin; and __fish_seen_subcommand_from kick ban unban bans publish'
complete -c chatctl -n $moderation -s c -l channel -x -d 'Only this room (default: the whole cluster)'
complete -c chatctl -n '__fish_seen_subcommand_from admin; and __fish_seen_subcommand_from ban' -l for -x -a '30m 1h 2h 1d 7d 30d' -d 'For this long (default: no expiry)'
set -l publish '__fish_seen_subcommand_from admin; and __fish_seen_subcommand_from publish'
complete -c chatctl -n $publish -l to -x -d 'User to send a direct message to'
complete -c chatctl -n $publish -l from -x -d 'Sender shown (default: system)'

# chatctl admin token (and the API options above, without --secret-file)
set -l token '__fish_seen_subcommand_from admin; and __fish_seen_subcommand_from token'
complete -c chatctl -n $token -l user -x -a '(__fish_complete_users)' -d 'User name the token is for (required)'
complete -c chatctl -n $token -l ttl -x -a '90s 30m 1h 24h 7d 30d never' -d 'Lifetime (default 24h)'
complete -c chatctl -n $token -l admin -d 'Mark the token as an administrator'\''s'
complete -c chatctl -n $token -l secret-file -r -F -d 'Sign offline with the cluster secret in this file'

# chatctl admin mesh-keygen
set -l keygen '__fish_seen_subcommand_from admin; and __fish_seen_subcommand_from mesh-keygen'
complete -c chatctl -n $keygen -s h -l help -d 'Print help and exit'
complete -c chatctl -n $keygen -l out -r -F -d 'File to write the key pair to (mode 0600, required)'
complete -c chatctl -n $keygen -l force -d 'Replace the file if it exists'
