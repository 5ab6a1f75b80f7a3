_xcpng__mod() {
    local i cur prev opts cmd
    COMPREPLY=()
    if [[ "${BASH_VERSINFO[0]}" -ge 4 ]]; then
        cur="$2"
    else
        cur="${COMP_WORDS[COMP_CWORD]}"
    fi
    prev="$3"
    cmd=""
    opts=""

    for i in "${COMP_WORDS[@]:0:COMP_CWORD}"
    do
        case "${cmd},${i}" in
            ",$1")
                cmd="xcpng__mod"
                ;;
            xcpng__mod,candidates)
                cmd="xcpng__mod__subcmd__candidates"
                ;;
            xcpng__mod,check-update)
                cmd="xcpng__mod__subcmd__check__subcmd__update"
                ;;
            xcpng__mod,debug-solver)
                cmd="xcpng__mod__subcmd__debug__subcmd__solver"
                ;;
            xcpng__mod,demo)
                cmd="xcpng__mod__subcmd__demo"
                ;;
            xcpng__mod,depmod)
                cmd="xcpng__mod__subcmd__depmod"
                ;;
            xcpng__mod,doctor)
                cmd="xcpng__mod__subcmd__doctor"
                ;;
            xcpng__mod,downgrade)
                cmd="xcpng__mod__subcmd__downgrade"
                ;;
            xcpng__mod,driver-tool)
                cmd="xcpng__mod__subcmd__driver__subcmd__tool"
                ;;
            xcpng__mod,erase)
                cmd="xcpng__mod__subcmd__remove"
                ;;
            xcpng__mod,hardware)
                cmd="xcpng__mod__subcmd__hardware"
                ;;
            xcpng__mod,help)
                cmd="xcpng__mod__subcmd__help"
                ;;
            xcpng__mod,history)
                cmd="xcpng__mod__subcmd__history"
                ;;
            xcpng__mod,info)
                cmd="xcpng__mod__subcmd__info"
                ;;
            xcpng__mod,install)
                cmd="xcpng__mod__subcmd__install"
                ;;
            xcpng__mod,keys)
                cmd="xcpng__mod__subcmd__keys"
                ;;
            xcpng__mod,list)
                cmd="xcpng__mod__subcmd__list"
                ;;
            xcpng__mod,makecache)
                cmd="xcpng__mod__subcmd__makecache"
                ;;
            xcpng__mod,module)
                cmd="xcpng__mod__subcmd__module"
                ;;
            xcpng__mod,modules)
                cmd="xcpng__mod__subcmd__modules"
                ;;
            xcpng__mod,needs-reboot)
                cmd="xcpng__mod__subcmd__needs__subcmd__reboot"
                ;;
            xcpng__mod,pool)
                cmd="xcpng__mod__subcmd__pool"
                ;;
            xcpng__mod,reinstall)
                cmd="xcpng__mod__subcmd__reinstall"
                ;;
            xcpng__mod,reload)
                cmd="xcpng__mod__subcmd__reload"
                ;;
            xcpng__mod,remove)
                cmd="xcpng__mod__subcmd__remove"
                ;;
            xcpng__mod,repolist)
                cmd="xcpng__mod__subcmd__repolist"
                ;;
            xcpng__mod,rollback)
                cmd="xcpng__mod__subcmd__rollback"
                ;;
            xcpng__mod,search)
                cmd="xcpng__mod__subcmd__search"
                ;;
            xcpng__mod,update)
                cmd="xcpng__mod__subcmd__update"
                ;;
            xcpng__mod,upgrade)
                cmd="xcpng__mod__subcmd__update"
                ;;
            xcpng__mod,vercmp)
                cmd="xcpng__mod__subcmd__vercmp"
                ;;
            xcpng__mod,verify)
                cmd="xcpng__mod__subcmd__verify"
                ;;
            xcpng__mod__subcmd__help,candidates)
                cmd="xcpng__mod__subcmd__help__subcmd__candidates"
                ;;
            xcpng__mod__subcmd__help,check-update)
                cmd="xcpng__mod__subcmd__help__subcmd__check__subcmd__update"
                ;;
            xcpng__mod__subcmd__help,debug-solver)
                cmd="xcpng__mod__subcmd__help__subcmd__debug__subcmd__solver"
                ;;
            xcpng__mod__subcmd__help,demo)
                cmd="xcpng__mod__subcmd__help__subcmd__demo"
                ;;
            xcpng__mod__subcmd__help,depmod)
                cmd="xcpng__mod__subcmd__help__subcmd__depmod"
                ;;
            xcpng__mod__subcmd__help,doctor)
                cmd="xcpng__mod__subcmd__help__subcmd__doctor"
                ;;
            xcpng__mod__subcmd__help,downgrade)
                cmd="xcpng__mod__subcmd__help__subcmd__downgrade"
                ;;
            xcpng__mod__subcmd__help,driver-tool)
                cmd="xcpng__mod__subcmd__help__subcmd__driver__subcmd__tool"
                ;;
            xcpng__mod__subcmd__help,hardware)
                cmd="xcpng__mod__subcmd__help__subcmd__hardware"
                ;;
            xcpng__mod__subcmd__help,help)
                cmd="xcpng__mod__subcmd__help__subcmd__help"
                ;;
            xcpng__mod__subcmd__help,history)
                cmd="xcpng__mod__subcmd__help__subcmd__history"
                ;;
            xcpng__mod__subcmd__help,info)
                cmd="xcpng__mod__subcmd__help__subcmd__info"
                ;;
            xcpng__mod__subcmd__help,install)
                cmd="xcpng__mod__subcmd__help__subcmd__install"
                ;;
            xcpng__mod__subcmd__help,keys)
                cmd="xcpng__mod__subcmd__help__subcmd__keys"
                ;;
            xcpng__mod__subcmd__help,list)
                cmd="xcpng__mod__subcmd__help__subcmd__list"
                ;;
            xcpng__mod__subcmd__help,makecache)
                cmd="xcpng__mod__subcmd__help__subcmd__makecache"
                ;;
            xcpng__mod__subcmd__help,module)
                cmd="xcpng__mod__subcmd__help__subcmd__module"
                ;;
            xcpng__mod__subcmd__help,modules)
                cmd="xcpng__mod__subcmd__help__subcmd__modules"
                ;;
            xcpng__mod__subcmd__help,needs-reboot)
                cmd="xcpng__mod__subcmd__help__subcmd__needs__subcmd__reboot"
                ;;
            xcpng__mod__subcmd__help,pool)
                cmd="xcpng__mod__subcmd__help__subcmd__pool"
                ;;
            xcpng__mod__subcmd__help,reinstall)
                cmd="xcpng__mod__subcmd__help__subcmd__reinstall"
                ;;
            xcpng__mod__subcmd__help,reload)
                cmd="xcpng__mod__subcmd__help__subcmd__reload"
                ;;
            xcpng__mod__subcmd__help,remove)
                cmd="xcpng__mod__subcmd__help__subcmd__remove"
                ;;
            xcpng__mod__subcmd__help,repolist)
                cmd="xcpng__mod__subcmd__help__subcmd__repolist"
                ;;
            xcpng__mod__subcmd__help,rollback)
                cmd="xcpng__mod__subcmd__help__subcmd__rollback"
                ;;
            xcpng__mod__subcmd__help,search)
                cmd="xcpng__mod__subcmd__help__subcmd__search"
                ;;
            xcpng__mod__subcmd__help,update)
                cmd="xcpng__mod__subcmd__help__subcmd__update"
                ;;
            xcpng__mod__subcmd__help,vercmp)
                cmd="xcpng__mod__subcmd__help__subcmd__vercmp"
                ;;
            xcpng__mod__subcmd__help,verify)
                cmd="xcpng__mod__subcmd__help__subcmd__verify"
                ;;
            xcpng__mod__subcmd__help__subcmd__history,info)
                cmd="xcpng__mod__subcmd__help__subcmd__history__subcmd__info"
                ;;
            xcpng__mod__subcmd__help__subcmd__history,list)
                cmd="xcpng__mod__subcmd__help__subcmd__history__subcmd__list"
                ;;
            xcpng__mod__subcmd__help__subcmd__history,recover)
                cmd="xcpng__mod__subcmd__help__subcmd__history__subcmd__recover"
                ;;
            xcpng__mod__subcmd__help__subcmd__history,rollback)
                cmd="xcpng__mod__subcmd__help__subcmd__history__subcmd__rollback"
                ;;
            xcpng__mod__subcmd__help__subcmd__history,undo)
                cmd="xcpng__mod__subcmd__help__subcmd__history__subcmd__undo"
                ;;
            xcpng__mod__subcmd__help__subcmd__module,show)
                cmd="xcpng__mod__subcmd__help__subcmd__module__subcmd__show"
                ;;
            xcpng__mod__subcmd__help__subcmd__pool,abort)
                cmd="xcpng__mod__subcmd__help__subcmd__pool__subcmd__abort"
                ;;
            xcpng__mod__subcmd__help__subcmd__pool,resume)
                cmd="xcpng__mod__subcmd__help__subcmd__pool__subcmd__resume"
                ;;
            xcpng__mod__subcmd__help__subcmd__pool,rollout)
                cmd="xcpng__mod__subcmd__help__subcmd__pool__subcmd__rollout"
                ;;
            xcpng__mod__subcmd__help__subcmd__pool,status)
                cmd="xcpng__mod__subcmd__help__subcmd__pool__subcmd__status"
                ;;
            xcpng__mod__subcmd__help__subcmd__pool__subcmd__rollout,install)
                cmd="xcpng__mod__subcmd__help__subcmd__pool__subcmd__rollout__subcmd__install"
                ;;
            xcpng__mod__subcmd__help__subcmd__pool__subcmd__rollout,remove)
                cmd="xcpng__mod__subcmd__help__subcmd__pool__subcmd__rollout__subcmd__remove"
                ;;
            xcpng__mod__subcmd__help__subcmd__pool__subcmd__rollout,rollback)
                cmd="xcpng__mod__subcmd__help__subcmd__pool__subcmd__rollout__subcmd__rollback"
                ;;
            xcpng__mod__subcmd__help__subcmd__pool__subcmd__rollout,select)
                cmd="xcpng__mod__subcmd__help__subcmd__pool__subcmd__rollout__subcmd__select"
                ;;
            xcpng__mod__subcmd__help__subcmd__pool__subcmd__rollout,update)
                cmd="xcpng__mod__subcmd__help__subcmd__pool__subcmd__rollout__subcmd__update"
                ;;
            xcpng__mod__subcmd__history,help)
                cmd="xcpng__mod__subcmd__history__subcmd__help"
                ;;
            xcpng__mod__subcmd__history,info)
                cmd="xcpng__mod__subcmd__history__subcmd__info"
                ;;
            xcpng__mod__subcmd__history,list)
                cmd="xcpng__mod__subcmd__history__subcmd__list"
                ;;
            xcpng__mod__subcmd__history,recover)
                cmd="xcpng__mod__subcmd__history__subcmd__recover"
                ;;
            xcpng__mod__subcmd__history,rollback)
                cmd="xcpng__mod__subcmd__history__subcmd__rollback"
                ;;
            xcpng__mod__subcmd__history,undo)
                cmd="xcpng__mod__subcmd__history__subcmd__undo"
                ;;
            xcpng__mod__subcmd__history__subcmd__help,help)
                cmd="xcpng__mod__subcmd__history__subcmd__help__subcmd__help"
                ;;
            xcpng__mod__subcmd__history__subcmd__help,info)
                cmd="xcpng__mod__subcmd__history__subcmd__help__subcmd__info"
                ;;
            xcpng__mod__subcmd__history__subcmd__help,list)
                cmd="xcpng__mod__subcmd__history__subcmd__help__subcmd__list"
                ;;
            xcpng__mod__subcmd__history__subcmd__help,recover)
                cmd="xcpng__mod__subcmd__history__subcmd__help__subcmd__recover"
                ;;
            xcpng__mod__subcmd__history__subcmd__help,rollback)
                cmd="xcpng__mod__subcmd__history__subcmd__help__subcmd__rollback"
                ;;
            xcpng__mod__subcmd__history__subcmd__help,undo)
                cmd="xcpng__mod__subcmd__history__subcmd__help__subcmd__undo"
                ;;
            xcpng__mod__subcmd__module,help)
                cmd="xcpng__mod__subcmd__module__subcmd__help"
                ;;
            xcpng__mod__subcmd__module,show)
                cmd="xcpng__mod__subcmd__module__subcmd__show"
                ;;
            xcpng__mod__subcmd__module__subcmd__help,help)
                cmd="xcpng__mod__subcmd__module__subcmd__help__subcmd__help"
                ;;
            xcpng__mod__subcmd__module__subcmd__help,show)
                cmd="xcpng__mod__subcmd__module__subcmd__help__subcmd__show"
                ;;
            xcpng__mod__subcmd__pool,abort)
                cmd="xcpng__mod__subcmd__pool__subcmd__abort"
                ;;
            xcpng__mod__subcmd__pool,help)
                cmd="xcpng__mod__subcmd__pool__subcmd__help"
                ;;
            xcpng__mod__subcmd__pool,resume)
                cmd="xcpng__mod__subcmd__pool__subcmd__resume"
                ;;
            xcpng__mod__subcmd__pool,rollout)
                cmd="xcpng__mod__subcmd__pool__subcmd__rollout"
                ;;
            xcpng__mod__subcmd__pool,status)
                cmd="xcpng__mod__subcmd__pool__subcmd__status"
                ;;
            xcpng__mod__subcmd__pool__subcmd__help,abort)
                cmd="xcpng__mod__subcmd__pool__subcmd__help__subcmd__abort"
                ;;
            xcpng__mod__subcmd__pool__subcmd__help,help)
                cmd="xcpng__mod__subcmd__pool__subcmd__help__subcmd__help"
                ;;
            xcpng__mod__subcmd__pool__subcmd__help,resume)
                cmd="xcpng__mod__subcmd__pool__subcmd__help__subcmd__resume"
                ;;
            xcpng__mod__subcmd__pool__subcmd__help,rollout)
                cmd="xcpng__mod__subcmd__pool__subcmd__help__subcmd__rollout"
                ;;
            xcpng__mod__subcmd__pool__subcmd__help,status)
                cmd="xcpng__mod__subcmd__pool__subcmd__help__subcmd__status"
                ;;
            xcpng__mod__subcmd__pool__subcmd__help__subcmd__rollout,install)
                cmd="xcpng__mod__subcmd__pool__subcmd__help__subcmd__rollout__subcmd__install"
                ;;
            xcpng__mod__subcmd__pool__subcmd__help__subcmd__rollout,remove)
                cmd="xcpng__mod__subcmd__pool__subcmd__help__subcmd__rollout__subcmd__remove"
                ;;
            xcpng__mod__subcmd__pool__subcmd__help__subcmd__rollout,rollback)
                cmd="xcpng__mod__subcmd__pool__subcmd__help__subcmd__rollout__subcmd__rollback"
                ;;
            xcpng__mod__subcmd__pool__subcmd__help__subcmd__rollout,select)
                cmd="xcpng__mod__subcmd__pool__subcmd__help__subcmd__rollout__subcmd__select"
                ;;
            xcpng__mod__subcmd__pool__subcmd__help__subcmd__rollout,update)
                cmd="xcpng__mod__subcmd__pool__subcmd__help__subcmd__rollout__subcmd__update"
                ;;
            xcpng__mod__subcmd__pool__subcmd__rollout,help)
                cmd="xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__help"
                ;;
            xcpng__mod__subcmd__pool__subcmd__rollout,install)
                cmd="xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__install"
                ;;
            xcpng__mod__subcmd__pool__subcmd__rollout,remove)
                cmd="xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__remove"
                ;;
            xcpng__mod__subcmd__pool__subcmd__rollout,rollback)
                cmd="xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__rollback"
                ;;
            xcpng__mod__subcmd__pool__subcmd__rollout,select)
                cmd="xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__select"
                ;;
            xcpng__mod__subcmd__pool__subcmd__rollout,update)
                cmd="xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__update"
                ;;
            xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__help,help)
                cmd="xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__help__subcmd__help"
                ;;
            xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__help,install)
                cmd="xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__help__subcmd__install"
                ;;
            xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__help,remove)
                cmd="xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__help__subcmd__remove"
                ;;
            xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__help,rollback)
                cmd="xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__help__subcmd__rollback"
                ;;
            xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__help,select)
                cmd="xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__help__subcmd__select"
                ;;
            xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__help,update)
                cmd="xcpng__mod__subcmd__pool__subcmd__rollout__subcmd__help__subcmd__update"
                ;;
            *)
                ;;
        esac
    done

    case "${cmd}" in
        xcpng__mod)
            opts="-C -y -q -v -h -V --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help --version repolist makecache list info search check-update vercmp modules module reload depmod verify keys doctor install update upgrade downgrade remove erase reinstall history rollback candidates needs-reboot driver-tool hardware pool debug-solver demo help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 1 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__candidates)
            opts="-C -y -q -v -h --announce --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__check__subcmd__update)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__debug__subcmd__solver)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__demo)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__depmod)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__doctor)
            opts="-C -y -q -v -h --fix --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__downgrade)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__driver__subcmd__tool)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__hardware)
            opts="-C -y -q -v -h --fetch --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help)
            opts="repolist makecache list info search check-update vercmp modules module reload depmod verify keys doctor install update downgrade remove reinstall history rollback candidates needs-reboot driver-tool hardware pool debug-solver demo help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__candidates)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__check__subcmd__update)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__debug__subcmd__solver)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__demo)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__depmod)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__doctor)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__downgrade)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__driver__subcmd__tool)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__hardware)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__history)
            opts="list info undo rollback recover"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__history__subcmd__info)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__history__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__history__subcmd__recover)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__history__subcmd__rollback)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__history__subcmd__undo)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__info)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__install)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__keys)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__makecache)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__module)
            opts="show"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__module__subcmd__show)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__modules)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__needs__subcmd__reboot)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__pool)
            opts="status rollout resume abort"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__pool__subcmd__abort)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__pool__subcmd__resume)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__pool__subcmd__rollout)
            opts="install update remove select rollback"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__pool__subcmd__rollout__subcmd__install)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__pool__subcmd__rollout__subcmd__remove)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__pool__subcmd__rollout__subcmd__rollback)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__pool__subcmd__rollout__subcmd__select)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__pool__subcmd__rollout__subcmd__update)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__pool__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__reinstall)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__reload)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__remove)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__repolist)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__rollback)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__search)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__update)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__vercmp)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__help__subcmd__verify)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__history)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help list info undo rollback recover help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__history__subcmd__help)
            opts="list info undo rollback recover help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__history__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__history__subcmd__help__subcmd__info)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__history__subcmd__help__subcmd__list)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__history__subcmd__help__subcmd__recover)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__history__subcmd__help__subcmd__rollback)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__history__subcmd__help__subcmd__undo)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__history__subcmd__info)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__history__subcmd__list)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__history__subcmd__recover)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__history__subcmd__rollback)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__history__subcmd__undo)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__info)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__install)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__keys)
            opts="-C -y -q -v -h --accept --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --accept)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__list)
            opts="-C -y -q -v -h --installed --available --updates --all --alternate --additional --supported --showduplicates --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__makecache)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__module)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help show help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__module__subcmd__help)
            opts="show help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__module__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__module__subcmd__help__subcmd__show)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__module__subcmd__show)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__modules)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__needs__subcmd__reboot)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help status rollout resume abort help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__abort)
            opts="-C -y -q -v -h --xapi --xapi-cert --xapi-fingerprint --credentials --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --xapi)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-cert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-fingerprint)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --credentials)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__help)
            opts="status rollout resume abort help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__help__subcmd__abort)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__help__subcmd__resume)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__help__subcmd__rollout)
            opts="install update remove select rollback"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__help__subcmd__rollout__subcmd__install)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__help__subcmd__rollout__subcmd__remove)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__help__subcmd__rollout__subcmd__rollback)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__help__subcmd__rollout__subcmd__select)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__help__subcmd__rollout__subcmd__update)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__help__subcmd__status)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__resume)
            opts="-C -y -q -v -h --xapi --xapi-cert --xapi-fingerprint --credentials --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --xapi)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-cert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-fingerprint)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --credentials)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__rollout)
            opts="-C -y -q -v -h --canary --host-timeout --parallel --xapi --xapi-cert --xapi-fingerprint --credentials --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help install update remove select rollback help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --canary)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --host-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --parallel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-cert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-fingerprint)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --credentials)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__rollout__subcmd__help)
            opts="install update remove select rollback help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__rollout__subcmd__help__subcmd__help)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__rollout__subcmd__help__subcmd__install)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__rollout__subcmd__help__subcmd__remove)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__rollout__subcmd__help__subcmd__rollback)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__rollout__subcmd__help__subcmd__select)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__rollout__subcmd__help__subcmd__update)
            opts=""
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 5 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__rollout__subcmd__install)
            opts="-C -y -q -v -h --canary --host-timeout --parallel --xapi --xapi-cert --xapi-fingerprint --credentials --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --canary)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --host-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --parallel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-cert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-fingerprint)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --credentials)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__rollout__subcmd__remove)
            opts="-C -y -q -v -h --canary --host-timeout --parallel --xapi --xapi-cert --xapi-fingerprint --credentials --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --canary)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --host-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --parallel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-cert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-fingerprint)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --credentials)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__rollout__subcmd__rollback)
            opts="-C -y -q -v -h --canary --host-timeout --parallel --xapi --xapi-cert --xapi-fingerprint --credentials --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --canary)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --host-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --parallel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-cert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-fingerprint)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --credentials)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__rollout__subcmd__select)
            opts="-C -y -q -v -h --force --canary --host-timeout --parallel --xapi --xapi-cert --xapi-fingerprint --credentials --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --canary)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --host-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --parallel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-cert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-fingerprint)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --credentials)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__rollout__subcmd__update)
            opts="-C -y -q -v -h --canary --host-timeout --parallel --xapi --xapi-cert --xapi-fingerprint --credentials --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 4 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --canary)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --host-timeout)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --parallel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-cert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-fingerprint)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --credentials)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__pool__subcmd__status)
            opts="-C -y -q -v -h --baseline --xapi --xapi-cert --xapi-fingerprint --credentials --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 3 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --baseline)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-cert)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --xapi-fingerprint)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --credentials)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__reinstall)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__reload)
            opts="-C -y -q -v -h --dry-run --force --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__remove)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__repolist)
            opts="-C -y -q -v -h --all --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__rollback)
            opts="-C -y -q -v -h --dry-run --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__search)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__update)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__vercmp)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
        xcpng__subcmd__mod__subcmd__verify)
            opts="-C -y -q -v -h --installroot --root --enablerepo --disablerepo --repoid --repo --repofrompath --releasever --setopt --nogpgcheck --cacheonly --refresh --kernel --assumeyes --assumeno --debugsolver --downloadonly --json --quiet --verbose --help"
            if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then
                COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
                return 0
            fi
            case "${prev}" in
                --root)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --installroot)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --enablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --disablerepo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repo)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repoid)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --repofrompath)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --releasever)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --setopt)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --kernel)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                --debugsolver)
                    COMPREPLY=($(compgen -f "${cur}"))
                    return 0
                    ;;
                *)
                    COMPREPLY=()
                    ;;
            esac
            COMPREPLY=( $(compgen -W "${opts}" -- "${cur}") )
            return 0
            ;;
    esac
}

if [[ "${BASH_VERSINFO[0]}" -eq 4 && "${BASH_VERSINFO[1]}" -ge 4 || "${BASH_VERSINFO[0]}" -gt 4 ]]; then
    complete -F _xcpng__mod -o nosort -o bashdefault -o default xcpng-mod
else
    complete -F _xcpng__mod -o bashdefault -o default xcpng-mod
fi
