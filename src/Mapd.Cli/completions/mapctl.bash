# bash completion for mapctl, the mapd operator tool.
#
# Install: copy to /usr/share/bash-completion/completions/mapctl, or `source` it from ~/.bashrc.
# Needs nothing beyond bash. Region names for stat, resize, rm and watch come from
# `mapctl ls --names`, asked of the daemon that the command line's --socket names.

_mapctl() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local command='' socket='' expect='' ended=0 operands=0 i word

    # Walk the words before the cursor. COMP_WORDBREAKS splits --socket=PATH into
    # "--socket" "=" "PATH", so a lone "=" after a value option means its value follows.
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        if [[ -n $expect ]]; then
            [[ $word == = ]] && continue
            [[ $expect == socket ]] && socket=$word
            expect=''
        elif ((!ended)) && [[ $word == -- ]]; then
            ended=1
        elif ((!ended)) && [[ $word == --socket || $word == --mode || $word == --max-size || $word == --expect-generation ]]; then
            expect=${word#--}
        elif ((!ended)) && [[ $word == -* ]]; then
            :
        elif [[ -z $command ]]; then
            command=$word
        else
            ((operands++))
        fi
    done

    # The cursor is on an option's value: "--socket |", "--socket=|" or "--socket=pa|".
    if [[ -n $expect ]]; then
        [[ $cur == = ]] && cur=''
        case $expect in
            socket)
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                ;;
            mode)
                mapfile -t COMPREPLY < <(compgen -W '0600 0640 0660 0644 0666' -- "$cur")
                ;;
            *)
                # A size or a generation: nothing sensible to offer.
                COMPREPLY=()
                ;;
        esac
        return
    fi

    if ((!ended)) && [[ $cur == -* ]]; then
        local options='--socket --help'
        case $command in
            '') options+=' --version' ;;
            ls) options+=' --json --names' ;;
            stat | sessions | watch) options+=' --json' ;;
            create) options+=' --mode --max-size' ;;
            resize) options+=' --expect-generation' ;;
        esac
        mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
        return
    fi

    case $command in
        '')
            mapfile -t COMPREPLY < <(compgen -W 'ls create stat resize rm sessions watch version help' -- "$cur")
            ;;
        stat | rm | resize | watch)
            # stat, rm and resize take one region name; watch takes any number of them.
            if ((operands == 0)) || [[ $command == watch ]]; then
                local names
                names=$("${COMP_WORDS[0]}" ${socket:+--socket "$socket"} ls --names 2>/dev/null)
                mapfile -t COMPREPLY < <(compgen -W "$names" -- "$cur")
            fi
            ;;
    esac
}

complete -F _mapctl mapctl
