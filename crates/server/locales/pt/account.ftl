## Páginas dos acessos de uma entidade, após o início de sessão

## Comum
account-problem-title = Não é possível concluir
account-cancel = Cancelar
account-col-name = Nome
account-col-kind = Tipo
account-col-status = Estado
account-col-id-document = Documento de identificação
account-col-mobile = Telemóvel
account-col-eservices = Serviços electrónicos
account-col-actions = Acções

## Labels of the domain's kinds, shared with the counter and public pages (`web::util`)
label-login-status-pending = Por activar
label-login-status-active = Activo
label-login-status-deleted = Eliminado
label-id-type-macau-resident = Bilhete de Identidade de Residente de Macau
label-id-type-passport = Passaporte
label-id-type-other = Outro documento de identificação
label-entity-type-association = Associação
label-entity-type-foundation = Fundação
label-entity-type-company = Sociedade comercial
label-entity-type-entrepreneur = Empresário comercial, pessoa singular
label-entity-type-unincorporated = Organização sem personalidade jurídica (incluindo órgãos de administração de edifícios)
label-application-status-submitted = Apresentado
label-application-status-under-review = Em apreciação
label-application-status-approved = Aprovado
label-application-status-rejected = Indeferido

## Conta da entidade (R17, R18)
account-overview-title = Conta da entidade
account-entity-name = Nome da entidade
account-count-logins = Acessos de trabalhadores
account-count-admins = Administradores
account-count-staff = Trabalhadores (não administradores)
account-count-pending = Por activar
account-no-admins = A entidade não tem, de momento, nenhum administrador, pelo que ninguém pode criar acessos de trabalhadores nem atribuir serviços electrónicos. Dirija-se ao balcão de atendimento para acrescentar um administrador ou repor os direitos de um.
account-can-title = O que esta conta pode fazer
account-can-view-logins = Consultar todos os acessos da entidade
account-can-remove-admin = Retirar os direitos de administrador a um administrador (na página dos acessos)
account-can-view-audit = Consultar o registo de operações da entidade
account-counter-only = A conta da entidade não usa serviços electrónicos nem cria acessos. O acréscimo de administradores e a reposição de direitos de administrador retirados tratam-se no balcão de atendimento.
account-logins-title = Acessos da entidade
account-logins-lead = Todos os acessos de administradores e trabalhadores da entidade. Os números de documento de identificação e de telemóvel são mostrados apenas em parte.
account-logins-none = A entidade ainda não tem acessos de administradores nem de trabalhadores.
account-rights-removed = Direitos de administrador retirados
account-remove-link = Retirar direitos de administrador
account-remove-title = Retirar direitos de administrador
account-remove-warning = { $name } mantém o acesso como trabalhador comum, mas deixa de poder gerir acessos de trabalhadores e de atribuir serviços electrónicos. As sessões em curso terminam de imediato.
account-remove-counter = A conta da entidade não pode devolver estes direitos. Só o balcão de atendimento os pode repor, a pedido da entidade.
account-remove-confirm = Retirar os direitos
account-removed-notice = Foram retirados os direitos de administrador a { $name }. O acesso mantém-se como acesso de trabalhador.
account-back-to-logins = Voltar aos acessos

## Administradores: acessos de trabalhadores (R15, R16)
admin-staff-title = Acessos de trabalhadores
admin-staff-new-link = Criar acesso de trabalhador
admin-staff-search = Pesquisar
admin-staff-search-hint = Parte de um nome ou nome de utilizador.
admin-staff-search-submit = Pesquisar
admin-staff-count = { $count ->
    [one] 1 acesso
   *[other] { $count } acessos
}
admin-staff-found = { $count ->
    [one] 1 acesso corresponde a «{ $q }»
   *[other] { $count } acessos correspondem a «{ $q }»
}
admin-staff-you = (o próprio)
admin-staff-created = Foi criado um acesso de trabalhador para { $name }.
admin-staff-created-sms = Foi enviado por SMS um código de activação para { $mobile }. A pessoa activa o acesso com o número da entidade e esse código.
admin-staff-deleted = O acesso foi eliminado e as respectivas sessões terminadas.
admin-pager = Páginas
admin-pager-prev = Página anterior
admin-pager-next = Página seguinte
admin-pager-position = Página { $page } de { $pages }
admin-new-title = Criar acesso de trabalhador
admin-new-lead = Indique o nome, o documento de identificação e o número de telemóvel de Macau da pessoa. O código de activação será enviado por SMS para esse telemóvel; a pessoa escolhe depois o seu nome de utilizador e a sua palavra-passe.
admin-field-name = Nome
admin-field-name-hint = Tal como consta do documento de identificação.
admin-field-id-type = Tipo de documento de identificação
admin-field-id-number = Número do documento de identificação
admin-field-id-number-hint = Para o Bilhete de Identidade de Residente, 8 algarismos como em 1234567(8); nos restantes, de 5 a 20 letras e algarismos.
admin-field-mobile = Número de telemóvel de Macau
admin-field-mobile-hint = 8 algarismos, começando por 6; o código de activação é enviado para este número.
admin-new-submit = Criar e enviar o código
admin-delete-link = Eliminar
admin-delete-title = Eliminar acesso
admin-delete-warning = { $name } deixará de poder iniciar sessão e de usar qualquer serviço electrónico da entidade. Esta operação não pode ser anulada; seria necessário criar um novo acesso.
admin-delete-confirm = Eliminar o acesso
admin-back-to-staff = Voltar aos acessos de trabalhadores

## Administradores: serviços electrónicos (R19)
admin-assign-title = Atribuir serviços electrónicos
admin-assign-lead = Assinale os serviços electrónicos que cada acesso pode usar e guarde. Os serviços não assinalados não podem ser usados.
admin-assign-caption = Acessos e serviços electrónicos atribuídos
admin-assign-cell = { $eservice } para { $name }
admin-assign-needs-registration = A entidade tem primeiro de se inscrever neste serviço electrónico.
admin-assign-save-row = Guardar esta linha
admin-assign-save = Guardar tudo
admin-assign-saved = As atribuições foram guardadas.
admin-assign-no-eservices = Ainda não há serviços electrónicos disponíveis.
admin-assign-no-logins = A entidade não tem acessos de administradores nem de trabalhadores a que atribuir serviços.

## Registo de operações (R26)
audit-title = Registo de operações
audit-lead = Todas as operações relativas aos acessos da entidade, por ordem cronológica. Nunca são registadas palavras-passe, códigos nem números de identificação completos.
audit-col-seq = N.º
audit-col-at = Data e hora
audit-col-actor = Quem
audit-col-action = Operação
audit-col-target = Sobre
audit-col-result = Resultado
audit-col-source = Origem
audit-action-application-approved = Pedido aprovado
audit-action-login-created = Acesso criado
audit-action-administrator-added = Administrador acrescentado
audit-action-login-activated = Acesso activado
audit-action-login-deleted = Acesso eliminado
audit-action-admin-rights-removed = Direitos de administrador retirados
audit-action-admin-rights-restored = Direitos de administrador repostos
audit-action-activation-code-resent = Código de activação reenviado
audit-action-password-reset = Palavra-passe redefinida
audit-action-login-succeeded = Início de sessão
audit-action-login-failed = Início de sessão falhado
audit-action-logout = Fim de sessão
audit-action-eservices-assigned = Serviços electrónicos atribuídos
audit-action-eservice-registered = Inscrição num serviço electrónico
audit-action-sign-in-authorized = Acesso a um serviço electrónico
audit-action-face-off = Reconhecimento facial desactivado
audit-action-face-on = Reconhecimento facial activado
audit-action-security-code-bound = Aplicação associada ao código de segurança
audit-actor-former-login = Acesso eliminado { $id }
audit-actor-operator = Balcão de atendimento
audit-actor-client = Serviço electrónico { $id }
audit-actor-anonymous = Sem sessão iniciada
audit-actor-system = Sistema
audit-result-success = Concluída
audit-result-refused = Recusada
audit-time-zone = As horas são de Macau.
audit-none = Não há registos.
audit-first-page = Primeira página

## As minhas páginas
my-eservices-title = Os meus serviços electrónicos
my-eservices-lead = Os serviços electrónicos que os administradores atribuíram a este acesso.
my-eservices-none = Ainda não lhe foi atribuído nenhum serviço electrónico. Contacte um dos administradores da entidade.
my-eservices-entity = A conta da entidade gere os acessos e não usa serviços electrónicos.
my-eservices-advanced-hint = Os serviços electrónicos assinalados como «avançado» pedem ainda o reconhecimento facial ou o código de verificação de segurança.
my-col-eservice = Serviço electrónico
my-col-department = Serviço público
my-col-assurance = Nível de acesso
my-assurance-basic = Básico
my-assurance-advanced = Avançado
my-notifications-title = Notificações
my-notifications-none = Não tem notificações.
my-notice-application-approved = O pedido { $application_number } foi aprovado. O número da entidade é { $entity_number }.
my-notice-login-created = Foi criado um acesso de trabalhador em seu nome na entidade { $entity_number }. Active-o com o código enviado para o seu telemóvel.
my-notice-administrator-added = Foi criado um acesso de administrador em seu nome na entidade { $entity_number }. Active-o com o código enviado para o seu telemóvel.
my-notice-admin-rights-removed = A conta da entidade retirou-lhe os direitos de administrador. O seu acesso mantém-se como acesso de trabalhador; só o balcão de atendimento pode repor os direitos.
my-notice-admin-rights-restored = O balcão de atendimento repôs os seus direitos de administrador.
my-notice-eservices-assigned = Passou a poder usar: { $eservices }.
my-notice-password-reset = A sua palavra-passe foi redefinida. Se não foi o próprio, contacte de imediato o balcão de atendimento.
my-notice-department = Mensagem de { $department } ({ $eservice }):
my-notice-security-code-bound = Foi associada ao seu acesso uma aplicação móvel para o código de verificação de segurança. Se não foi o próprio, contacte de imediato o balcão de atendimento.
my-notice-security-code-unbound = Após demasiados códigos de verificação de segurança errados, a aplicação foi desassociada do seu acesso. Volte a associá-la no balcão de atendimento.
my-notice-face-on = O balcão de atendimento voltou a activar o reconhecimento facial no seu acesso.
my-notice-face-off = O reconhecimento facial foi desactivado no seu acesso. Só o balcão de atendimento o pode voltar a activar.
my-notice-other = Tem uma nova notificação.
my-entity-title = A minha entidade
my-entity-name-zh = Nome em chinês
my-entity-name-pt = Nome em português
my-entity-name-en = Nome em inglês
my-entity-type = Tipo de entidade
my-entity-me = O meu acesso
my-entity-kind-entity = A conta da entidade consulta os acessos e o registo de operações da entidade e pode retirar direitos de administrador.
my-entity-kind-admin = Como administrador, cria e elimina acessos de trabalhadores e atribui serviços electrónicos.
my-entity-kind-staff = Como trabalhador, usa os serviços electrónicos que os administradores lhe atribuem.
my-eid-title = Ferramentas de identificação electrónica
my-eid-lead = Os serviços electrónicos avançados pedem uma segunda verificação após a palavra-passe: o reconhecimento facial ou o código de verificação de segurança.
my-eid-face = Reconhecimento facial
my-eid-code = Código de verificação de segurança
my-eid-on = Activado
my-eid-off = Desactivado
my-eid-not-applicable = Não aplicável
my-eid-face-not-applicable = O reconhecimento facial destina-se aos acessos registados com o Bilhete de Identidade de Residente de Macau.
my-eid-face-on-hint = Os serviços electrónicos avançados podem comparar o seu rosto com os dados do seu bilhete de identidade.
my-eid-face-off-link = Desactivar o reconhecimento facial
my-eid-face-off-person = Desactivou o reconhecimento facial. Só o balcão de atendimento o pode voltar a activar.
my-eid-face-off-failures = O reconhecimento facial foi desactivado após demasiadas comparações falhadas. Só o balcão de atendimento o pode voltar a activar.
my-eid-face-switched-off = O reconhecimento facial está agora desactivado.
my-eid-code-not-applicable = O código de verificação de segurança destina-se aos acessos registados com um documento que não seja o Bilhete de Identidade de Residente de Macau.
my-eid-code-bound = Aplicação associada
my-eid-code-bound-hint = A sua aplicação móvel gera os códigos pedidos pelos serviços electrónicos avançados.
my-eid-code-not-bound = Não associada
my-eid-code-not-bound-hint = Para usar serviços electrónicos avançados, inicie sessão na aplicação móvel e dirija-se ao balcão de atendimento com o seu documento de identificação para a associar a este acesso.
my-face-off-title = Desactivar o reconhecimento facial
my-face-off-warning = Os serviços electrónicos avançados deixarão de poder verificar o seu rosto.
my-face-off-counter = Não o poderá voltar a activar por si: só o balcão de atendimento o pode fazer, mediante apresentação do seu documento de identificação.
my-face-off-confirm = Desactivar
