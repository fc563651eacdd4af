# Balcão de atendimento (SAFP).

counter-login-title = Iniciar sessão no balcão
counter-login-lead = Só para o pessoal do balcão. Termine a sessão quando sair do balcão.
counter-signed-out = Terminou a sessão do balcão.
counter-login-submit = Iniciar sessão

counter-yes = Sim
counter-no = Não
counter-actions = Acções
counter-created-at = Criada em

# Estados e opções
counter-status = Estado
counter-entity-type = Tipo de entidade
counter-role = Qualidade
counter-role-representative = Representante legal
counter-role-proxy = Procurador
counter-role-administrator = Administrador
counter-login-kind = Tipo
counter-login-status = Estado
counter-assurance = Nível de garantia
counter-assurance-basic = Básico (palavra-passe)
counter-assurance-advanced = Avançado (reconhecimento facial ou código de verificação de segurança)

# Lista de pedidos
counter-queue-title = Pedidos
counter-filter-status = Mostrar pedidos
counter-filter-all = Todos
counter-filter-submit = Mostrar
counter-new-application = Registar um novo pedido
counter-application-number = Número do pedido
counter-entity-name = Nome da entidade
counter-registration-number = Número de registo
counter-submitted-at = Apresentado em
counter-queue-empty = Não há pedidos a mostrar.

# Apreciação do pedido
counter-application-title = Pedido
counter-back-to-queue = Voltar aos pedidos
counter-entity-number-given = Número de entidade atribuído:
counter-approved-sms = Foi enviado por SMS um código de activação para o telemóvel da entidade e para o de cada administrador.
counter-open-entity = Abrir a página da entidade
counter-section-entity = Entidade
counter-field-name-zh = Nome em chinês
counter-field-name-pt = Nome em português
counter-field-name-en = Nome em inglês
counter-entity-mobile = Telemóvel de Macau da entidade
counter-agreement = Acordo da conta de utilizador de entidade
counter-decided-at = Decidido em
counter-reject-reason = Fundamento do indeferimento
counter-reject-reason-hint = O requerente pode consultá-lo. Até 500 caracteres.
counter-section-representatives = Representantes legais e procurador
counter-section-administrators = Administradores
counter-person-name = Nome
counter-id-document = Documento de identificação
counter-mobile = Telemóvel de Macau
counter-document-shown = Documento apresentado
counter-poa-reference = Referência da procuração
counter-section-decision = Decisão
counter-start-review = Iniciar a apreciação
counter-approve-hint = A aprovação atribui o número de entidade e envia os códigos de activação por SMS.
counter-approve = Aprovar
counter-reject = Indeferir
counter-done-submitted = O pedido foi registado.
counter-done-review = O pedido está agora em apreciação.
counter-done-approved = O pedido foi aprovado.
counter-done-rejected = O pedido foi indeferido.

# Formulário do pedido
counter-form-title = Novo pedido
counter-form-lead = Preencha o pedido depois de verificar os originais ou as cópias autenticadas dos documentos.
counter-field-names-hint = Indique o nome em chinês ou em português, ou ambos; o nome em inglês é facultativo.
counter-registration-number-hint = O da conservatória onde a entidade está registada.
counter-mobile-hint = 8 algarismos a começar por 6; o +853 é facultativo.
counter-representatives-hint = Todos os representantes legais. Deixe em branco os blocos que não usar.
counter-representative-n = Representante legal { $n }
counter-id-document-type = Tipo de documento de identificação
counter-id-document-number = Número do documento de identificação
counter-id-number-hint = O bilhete de identidade de residente de Macau escreve-se 1234567(8).
counter-document-shown-check = Foi apresentado o original ou a cópia autenticada do documento de identificação
counter-section-proxy = Procurador
counter-proxy-hint = Só quando um procurador faz o pedido em vez dos representantes legais: é necessário o original da procuração com a assinatura reconhecida notarialmente.
counter-poa-notarised-check = Foi apresentado o original da procuração com a assinatura reconhecida notarialmente
counter-poa-reference-hint = A referência notarial da procuração.
counter-administrators-hint = 1 a 3 pessoas que terão acessos de administrador. Cada uma recebe um código de activação por SMS. Deixe em branco os blocos que não usar.
counter-administrator-n = Administrador { $n }
counter-agreement-check = O acordo da conta de utilizador de entidade está assinado e carimbado
counter-form-submit = Registar o pedido

# Entidades
counter-entities-title = Procurar uma entidade
counter-entities-lead = Indique o número de entidade ou o número de registo na conservatória da entidade.
counter-lookup-registration-hint = Usado quando o número de entidade fica em branco.
counter-lookup-submit = Procurar
counter-entities-found = Entidades encontradas
counter-back-to-lookup = Procurar outra entidade
counter-administrators-count = Administradores
counter-section-logins = Acessos
counter-eservices = Serviços electrónicos
counter-admin-removed = Direitos de administrador retirados
counter-restore-admin = Repor os direitos de administrador
counter-reissue-code = Enviar um novo código de activação
counter-open-eid = Identificação electrónica
counter-add-admin-title = Acrescentar um administrador
counter-add-admin-hint = A pedido da entidade, depois de verificar o documento. Uma entidade tem no máximo 3 administradores; a pessoa recebe um código de activação por SMS.
counter-add-admin-submit = Acrescentar o administrador
counter-registrations-title = Registos em serviços electrónicos
counter-registrations-hint = Alguns serviços electrónicos só podem ser atribuídos depois de a entidade se registar junto do serviço que os presta.
counter-registrations-none = Nenhum por enquanto.
counter-eservice = Serviço electrónico
counter-register-submit = Registar a inscrição
counter-done-admin-added = O administrador foi acrescentado; o código de activação segue por SMS.
counter-done-restored = Os direitos de administrador foram repostos.
counter-done-reissued = Um novo código de activação segue para o telemóvel registado.
counter-done-registered = A inscrição foi registada.

# Serviços electrónicos
counter-eservices-title = Catálogo de serviços electrónicos
counter-done-eservice-added = O serviço electrónico foi acrescentado.
counter-eservice-code = Código
counter-eservice-name = Nome
counter-department = Serviço público
counter-requires-registration = Exige inscrição
counter-eservices-empty = Ainda não há serviços electrónicos.
counter-eservice-add-title = Acrescentar um serviço electrónico
counter-eservice-oidc-note = As definições de início de sessão do serviço (endereços OpenID Connect e segredo de cliente) configuram-se pela API ou pela linha de comandos, que mostra o segredo uma única vez.
counter-eservice-code-hint = 2 a 64 letras minúsculas, algarismos, - e _, p. ex. tax-returns.
counter-assurance-hint = Os serviços electrónicos avançados exigem reconhecimento facial ou o código de verificação de segurança.
counter-requires-registration-check = As entidades têm de se inscrever neste serviço antes de lhe atribuírem trabalhadores
counter-four-eyes-check = Quatro olhos: uma atribuição só produz efeitos quando um segundo administrador da entidade a aprova
counter-review-days = Periodicidade da revisão de acessos (dias)
counter-review-days-hint = De 30 a 180 dias; vazio significa 180.
counter-eservice-add-submit = Acrescentar o serviço electrónico

# Identificação electrónica
counter-eid-title = Identificação electrónica
counter-eid-lead = Com a pessoa presente, associe a aplicação do código de verificação de segurança ou volte a ligar o reconhecimento facial.
counter-login-id = Identificador do acesso
counter-login-id-hint = Consta da página da entidade.
counter-eid-find = Procurar
counter-eid-not-found = Este acesso não existe.
counter-eid-state-title = Estado da identificação electrónica
counter-eid-face = Reconhecimento facial
counter-eid-code = Código de verificação de segurança
counter-eid-state-na = Não aplicável
counter-eid-state-on = Ligado
counter-eid-state-off = Desligado
counter-eid-state-bound = Aplicação associada
counter-eid-state-unbound = Não associada
counter-eid-face-on-title = Voltar a ligar o reconhecimento facial
counter-eid-face-on-hint = Só a pedido da pessoa, depois de verificar o bilhete de identidade.
counter-eid-face-on = Ligar o reconhecimento facial
counter-eid-bind-title = Associar a aplicação
counter-eid-bind-hint = Verifique o mesmo documento de identificação com que o acesso foi registado e leia o código QR que a pessoa mostra na aplicação.
counter-eid-payload = Código QR lido
counter-eid-payload-hint = O leitor escreve aqui o texto do código.
counter-eid-bind = Associar a aplicação
counter-eid-done-bound = A aplicação ficou associada a este acesso.
counter-eid-done-face-on = O reconhecimento facial voltou a estar ligado.

error-invalid-eservice-code = Use 2 a 64 letras minúsculas, algarismos, - e _.
