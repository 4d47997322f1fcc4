"""Sample letters for the mixed-language benchmark: the same news ("your hearing has moved") in
Thai, Khmer, Arabic, Vietnamese and Indonesian, real sentences of a letter's length, so that
shaping, bidi and line breaking cost what they cost. Used where this install has no reviewed
catalogue for the language yet (gettext would fall back to English and measure nothing)."""

from __future__ import annotations

from witness.letters.content import LetterContent

SAMPLES = {
    "th": LetterContent(
        "วันนัดพิจารณาคดีของท่านเปลี่ยนแปลง",
        "เรียน คุณมาลี",
        [
            ("สิ่งที่เกิดขึ้น", [
                "ศาลได้เลื่อนการพิจารณาคดีของนายจอห์น สมิธ ไปเป็นวันที่ 10 พฤษภาคม 2570 "
                "ท่านไม่จำเป็นต้องทำอะไรในตอนนี้",
                "เจ้าหน้าที่ของเราจะโทรหาท่านก่อนวันนัดเพื่ออธิบายสิ่งที่จะเกิดขึ้น"
                "และช่วยจัดการเรื่องการเดินทาง",
            ]),
            ("หากท่านต้องการความช่วยเหลือ", [
                "กรุณาโทรหาเจ้าหน้าที่ของท่าน โจ บล็อกส์ ที่หมายเลข 0800 123 456 "
                "ในวันจันทร์ถึงวันศุกร์ เวลา 9.00 ถึง 17.00 น.",
                "หากท่านไม่ต้องการรับจดหมายจากเราอีก กรุณาแจ้งเจ้าหน้าที่ของท่าน",
            ]),
        ],
        ["ขอแสดงความนับถือ", "โจ บล็อกส์ เจ้าหน้าที่ดูแลพยาน"],
    ),
    "km": LetterContent(
        "កាលបរិច្ឆេទសវនាការរបស់អ្នកបានផ្លាស់ប្តូរ",
        "ជូនចំពោះ អ្នកស្រី ម៉ាលី",
        [
            ("អ្វីដែលបានកើតឡើង", [
                "តុលាការបានពន្យារពេលសវនាការរបស់ ចន ស្មីត ទៅថ្ងៃទី ១០ ខែឧសភា ឆ្នាំ ២០២៧។ "
                "អ្នកមិនចាំបាច់ធ្វើអ្វីនៅពេលនេះទេ។",
                "មន្ត្រីរបស់យើងនឹងទូរស័ព្ទទៅអ្នកមុនថ្ងៃនោះ ដើម្បីពន្យល់អំពីអ្វីដែលនឹងកើតឡើង "
                "និងជួយរៀបចំការធ្វើដំណើរ។",
            ]),
            ("ប្រសិនបើអ្នកត្រូវការជំនួយ", [
                "សូមទូរស័ព្ទទៅមន្ត្រីរបស់អ្នក ចូ ប្លុកស៍ តាមលេខ 0800 123 456 "
                "ពីថ្ងៃច័ន្ទដល់ថ្ងៃសុក្រ ម៉ោង ៩ ព្រឹក ដល់ ៥ ល្ងាច។",
                "ប្រសិនបើអ្នកមិនចង់ទទួលលិខិតពីយើងទៀតទេ សូមប្រាប់មន្ត្រីរបស់អ្នក។",
            ]),
        ],
        ["ដោយក្តីគោរព", "ចូ ប្លុកស៍ មន្ត្រីគាំទ្រសាក្សី"],
    ),
    "ar": LetterContent(
        "تغير موعد جلستك",
        "عزيزتي مالي،",
        [
            ("ما الذي حدث", [
                "أجلت المحكمة جلسة John Smith إلى 10 مايو 2027. "
                "لا تحتاجين إلى فعل أي شيء الآن.",
                "سيتصل بك موظفنا قبل ذلك اليوم ليشرح لك ما سيحدث ويساعدك في ترتيب السفر.",
            ]),
            ("إذا كنت بحاجة إلى مساعدة", [
                "يرجى الاتصال بموظفك Jo Bloggs على الرقم 0800 123 456 من الاثنين إلى الجمعة، "
                "من الساعة 9 صباحا حتى 5 مساء.",
                "إذا كنت لا ترغبين في تلقي رسائل منا بعد الآن، يرجى إخبار موظفك.",
            ]),
        ],
        ["مع أطيب التحيات،", "Jo Bloggs، موظف دعم الشهود"],
    ),
    "vi": LetterContent(
        "Ngày xét xử của chị đã thay đổi",
        "Kính gửi chị Mai,",
        [
            ("Điều gì đã xảy ra", [
                "Tòa án đã hoãn phiên xét xử John Smith sang ngày 10 tháng 5 năm 2027. "
                "Chị không cần làm gì vào lúc này.",
                "Cán bộ của chúng tôi sẽ gọi điện cho chị trước ngày đó để giải thích những gì "
                "sẽ xảy ra và giúp sắp xếp việc đi lại.",
            ]),
            ("Nếu chị cần giúp đỡ", [
                "Xin gọi cho cán bộ của chị, Jo Bloggs, theo số 0800 123 456 từ thứ Hai đến "
                "thứ Sáu, từ 9 giờ sáng đến 5 giờ chiều.",
                "Nếu chị không muốn nhận thư của chúng tôi nữa, xin báo cho cán bộ của chị.",
            ]),
        ],
        ["Trân trọng,", "Jo Bloggs, cán bộ hỗ trợ nhân chứng"],
    ),
    "id": LetterContent(
        "Tanggal sidang Anda telah berubah",
        "Yth. Ibu Mai,",
        [
            ("Apa yang terjadi", [
                "Pengadilan telah menunda sidang John Smith menjadi 10 Mei 2027. "
                "Anda tidak perlu melakukan apa pun sekarang.",
                "Petugas kami akan menelepon Anda sebelum hari itu untuk menjelaskan apa yang "
                "akan terjadi dan membantu mengatur perjalanan.",
            ]),
            ("Jika Anda memerlukan bantuan", [
                "Silakan hubungi petugas Anda, Jo Bloggs, di nomor 0800 123 456 hari Senin "
                "sampai Jumat, pukul 09.00 sampai 17.00.",
                "Jika Anda tidak ingin menerima surat dari kami lagi, beri tahu petugas Anda.",
            ]),
        ],
        ["Hormat kami,", "Jo Bloggs, petugas pendamping saksi"],
    ),
}  # fmt: skip
#: the mixed batch's languages, in turn
MIXED = ("en", "th", "vi", "km", "id", "ar")
