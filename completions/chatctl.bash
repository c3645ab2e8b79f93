# bash completion for chatctl                                   -*- shell-script -*-
#
# Install: copy to /usr/share/bash-completion/completions/chatctl
# (or ~/.local/share/bash-completion/completions/chatctl), or source it from ~/.bashrc.

_chatctl()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion || return
    else
        COMPREPLY=()
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD-1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    # Find the subcommand (and, under admin, the noun and its verb) already on the line.
    local cmd="" sub="" verb="" i w
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        case $w in
            -*) continue ;;
        esac
        if [[ -z $cmd ]]; then
            case $w in
                serve|send|tail|admin|bench|chat) cmd=$w ;;
            esac
        elif [[ $cmd == admin && -z $sub ]]; then
            case $w in
                node|stats|channel|user|kick|ban|unban|bans|publish|token|mesh-keygen) sub=$w ;;
            esac
        elif [[ $cmd == admin && -z $verb ]]; then
            case $sub/$w in
                node/list|channel/list|channel/info|channel/create|channel/delete|channel/topic|\
                channel/members|channel/invite|channel/remove|channel/presence|user/list|\
                user/search|user/show|user/add|user/passwd|user/disable|user/enable|user/delete)
                    verb=$w ;;
            esac
        fi
    done

    # Values of the option just before the cursor.
    case $prev in
        --config|--secret-file|--mesh-key|--mesh-trust|--out|--password-file)
            _chatctl_files
            return
            ;;
        --data|--web-root)
            _chatctl_dirs
            return
            ;;
        --log-level)
            COMPREPLY=($(compgen -W 'debug info warn error' -- "$cur"))
            return
            ;;
        --log-format)
            COMPREPLY=($(compgen -W 'logfmt json' -- "$cur"))
            return
            ;;
        --web)
            COMPREPLY=($(compgen -W 'on off' -- "$cur"))
            return
            ;;
        --durability)
            COMPREPLY=($(compgen -W 'normal full' -- "$cur"))
            return
            ;;
        --bus)
            COMPREPLY=($(compgen -W 'local zmq' -- "$cur"))
            return
            ;;
        --protocol)
            COMPREPLY=($(compgen -W 'chatctl nats mqtt' -- "$cur"))
            return
            ;;
        --ttl)
            COMPREPLY=($(compgen -W '90s 30m 1h 24h 7d 30d never' -- "$cur"))
            return
            ;;
        --for)
            COMPREPLY=($(compgen -W '30m 1h 2h 1d 7d 30d' -- "$cur"))
            return
            ;;
        --role)
            COMPREPLY=($(compgen -W 'member admin owner' -- "$cur"))
            return
            ;;
        --as|--to|--user|--owner|--from)
            COMPREPLY=($(compgen -u -- "$cur"))
            return
            ;;
        -u|--url)
            COMPREPLY=($(compgen -W 'ws://127.0.0.1:7447' -- "$cur"))
            return
            ;;
        --mesh-bind|--peer)
            COMPREPLY=($(compgen -W 'tcp://127.0.0.1:7448' -- "$cur"))
            return
            ;;
        --listen|--node-id|--token|-c|--channel|-n|--last|--since|\
        --max-frame-bytes|--max-text-chars|--max-joins|--rate-limit|--rate-burst|\
        --max-outbound-bytes|--max-pending-writes|--since-replay-max|--presence-events-max|--hello-timeout|--ping-interval|\
        --subs|--pubs|--channels|--msgs|--duration|--rate|--window|--size|--warmup|\
        --hold|--threads|--prefix|--limit|--after|--topic)
            # free-form value: nothing sensible to offer
            return
            ;;
    esac

    local opts
    case $cmd in
        "")
            if [[ $cur == -* ]]; then
                opts='-h --help --version'
            else
                opts='serve send tail admin bench chat'
            fi
            ;;
        serve)
            opts='-h --help --config --listen --data --node-id --secret-file --open --allow-register
                  --log-level --log-format --durability --max-frame-bytes --max-text-chars
                  --max-joins --rate-limit --rate-burst --max-outbound-bytes --max-pending-writes
                  --since-replay-max --presence-events-max --hello-timeout --ping-interval --bus --mesh-bind
                  --peer --mesh-insecure --mesh-key --mesh-trust --web --web-root
                  --allowed-origins'
            ;;
        send)
            opts='-h --help -u --url --token --password-file --as -c --channel --to --json'
            ;;
        tail)
            opts='-h --help -u --url --token --password-file --as -c --channel -n --last --since
                  -f --follow --json'
            ;;
        chat)
            opts='-h --help -u --url --token --password-file --as -c --channel --to -n --last
                  --scrollback'
            ;;
        bench)
            opts='-h --help -u --url --token --as --protocol --subs --pubs --channels
                  --msgs --duration --rate --window --size --warmup --hold --threads --json'
            ;;
        admin)
            # Options of every verb that calls the node's admin API.
            local api='-h --help -u --url --token --json'
            case $sub/$verb in
                node/)
                    opts='list' ;;
                channel/)
                    opts='list info create delete topic members invite remove presence' ;;
                user/)
                    opts='list search show add passwd disable enable delete' ;;
                channel/list)
                    opts="$api --prefix --limit" ;;
                channel/create)
                    opts="$api --private --topic --owner" ;;
                channel/invite)
                    opts="$api --role" ;;
                user/list)
                    opts="$api --prefix --after --limit" ;;
                user/search)
                    opts="$api --after --limit" ;;
                user/add)
                    opts="$api --admin --password-stdin --password-file" ;;
                user/passwd)
                    opts="$api --password-stdin --password-file" ;;
                node/*|channel/*|user/*|stats/)
                    opts=$api ;;
                kick/|unban/|bans/)
                    opts="$api -c --channel" ;;
                ban/)
                    opts="$api -c --channel --for" ;;
                publish/)
                    opts="$api -c --channel --to --from" ;;
                token/)
                    opts='-h --help --user --ttl --admin --secret-file -u --url --token --json' ;;
                mesh-keygen/)
                    opts='-h --help --out --force' ;;
                *)
                    if [[ $cur == -* ]]; then
                        opts='-h --help'
                    else
                        opts='node stats channel user kick ban unban bans publish token mesh-keygen'
                    fi
                    ;;
            esac
            # A noun without its verb yet: offer the verbs, or help once a dash is typed.
            if [[ ($sub == node || $sub == channel || $sub == user) && -z $verb && $cur == -* ]]; then
                opts='-h --help'
            fi
            ;;
    esac

    # send takes the message as words; offer flags only once a dash is typed.
    if [[ $cmd == send && $cur != -* ]]; then
        return
    fi
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}

_chatctl_files()
{
    if declare -F _filedir >/dev/null 2>&1; then
        _filedir
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

_chatctl_dirs()
{
    if declare -F _filedir >/dev/null 2>&1; then
        _filedir -d
    else
        COMPREPLY=($(compgen -d -- "$cur"))
    fi
}

complete -F _chatctl chatctl
